import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { logActivity } from '../api/activities';
import { isApiError } from '../api/client';
import type { Activity, ActivityInput } from '../api/types';
import { TextAreaField, TextField } from './Field';

type Kind = 'note' | 'call' | 'meeting';
const KINDS: { kind: Kind; tab: string; submit: string }[] = [
  { kind: 'note', tab: 'Note', submit: 'Log note' },
  { kind: 'call', tab: 'Call', submit: 'Log call' },
  { kind: 'meeting', tab: 'Meeting', submit: 'Log meeting' },
];

const EMPTY = { body: '', duration: '', outcome: '', next_step: '', when: '' };

/** Forms to log a note, a call or a meeting for a contact or a company. */
export function LogActivityForm({
  target,
  authorId,
  onLogged,
}: {
  target: { contact_id: number } | { company_id: number };
  authorId: number | null;
  onLogged: (a: Activity) => void;
}) {
  const tabsId = useId();
  const [kind, setKind] = useState<Kind>('note');
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const current = KINDS.find((k) => k.kind === kind)!;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    setDone(null);
    if (kind === 'note' && !form.body.trim()) {
      setErrors({ 'properties.body': 'Write the note first.' });
      return;
    }
    const properties: Record<string, unknown> = {};
    if (form.body.trim()) properties.body = form.body;
    if (kind !== 'note') {
      if (form.duration.trim()) {
        const minutes = Number(form.duration);
        if (!Number.isFinite(minutes) || minutes < 0) {
          setErrors({ 'properties.duration_seconds': 'Enter the duration in minutes.' });
          return;
        }
        properties.duration_seconds = Math.round(minutes * 60);
      }
      if (form.outcome.trim()) properties.outcome = form.outcome.trim();
      if (form.next_step.trim()) properties.next_step = form.next_step.trim();
    }
    const input: ActivityInput = { ...target, type: kind, properties };
    if (authorId) input.author_id = authorId;
    if (form.when) input.occurred_at = new Date(form.when).toISOString();
    setBusy(true);
    try {
      const a = await logActivity(input);
      setForm(EMPTY);
      setDone(`${current.tab} logged.`);
      onLogged(a);
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        const known = ['properties.body', 'properties.duration_seconds', 'properties.outcome', 'properties.next_step', 'occurred_at'];
        const shown = Object.keys(err.fields).filter((f) => known.includes(f));
        if (shown.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shown));
      } else {
        setFormError(String(err));
      }
    } finally {
      setBusy(false);
    }
  }

  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section className="card log-form" aria-labelledby={`${tabsId}-title`}>
      <h2 id={`${tabsId}-title`}>Log activity</h2>
      <div className="segmented" role="group" aria-label="Kind of activity">
        {KINDS.map((k) => (
          <button
            key={k.kind}
            type="button"
            className="segmented-btn"
            aria-pressed={kind === k.kind}
            onClick={() => {
              setKind(k.kind);
              setErrors({});
              setFormError(null);
            }}
          >
            {k.tab}
          </button>
        ))}
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate>
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <TextAreaField
          label={kind === 'note' ? 'Note' : 'Summary'}
          field="properties.body"
          rows={3}
          value={form.body}
          error={errors['properties.body']}
          onChange={set('body')}
        />
        {kind !== 'note' && (
          <div className="form-row">
            <TextField
              label="Duration (minutes)"
              field="properties.duration_seconds"
              inputMode="numeric"
              value={form.duration}
              error={errors['properties.duration_seconds']}
              onChange={set('duration')}
            />
            <TextField label="Outcome" field="properties.outcome" value={form.outcome} error={errors['properties.outcome']} onChange={set('outcome')} />
            <TextField label="Next step" field="properties.next_step" value={form.next_step} error={errors['properties.next_step']} onChange={set('next_step')} />
          </div>
        )}
        <div className="form-row form-row-end">
          <TextField
            label="When (optional)"
            field="occurred_at"
            type="datetime-local"
            value={form.when}
            error={errors.occurred_at}
            onChange={set('when')}
          />
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {current.submit}
          </button>
        </div>
        {done && (
          <p className="form-success" role="status">
            {done}
          </p>
        )}
      </form>
    </section>
  );
}
