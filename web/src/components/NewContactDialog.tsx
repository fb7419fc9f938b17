import { useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../api/client';
import { createContact } from '../api/contacts';
import type { Contact, ContactInput, CustomField, CustomValues } from '../api/types';
import { LIFECYCLE_STAGES } from '../api/types';
import { customFromInput } from '../lib/custom';
import { humanize } from '../lib/format';
import { CustomFieldInput } from './CustomFieldInput';
import { Dialog } from './Dialog';
import { SelectField, TextField } from './Field';

const EMPTY = { first_name: '', last_name: '', email: '', phone: '', lifecycle_stage: 'lead' };

export function NewContactDialog({
  open,
  fields,
  onClose,
  onCreated,
}: {
  open: boolean;
  fields: CustomField[];
  onClose: () => void;
  onCreated: (c: Contact) => void;
}) {
  const [form, setForm] = useState(EMPTY);
  const [custom, setCustom] = useState<CustomValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [existing, setExisting] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  function close() {
    setForm(EMPTY);
    setCustom({});
    setErrors({});
    setFormError(null);
    setExisting(null);
    onClose();
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setFormError(null);
    setExisting(null);
    const input: ContactInput = { lifecycle_stage: form.lifecycle_stage as ContactInput['lifecycle_stage'] };
    for (const k of ['first_name', 'last_name', 'email', 'phone'] as const) {
      if (form[k].trim()) input[k] = form[k];
    }
    const values = Object.fromEntries(Object.entries(custom).filter(([, v]) => v !== null));
    if (Object.keys(values).length > 0) input.custom = values;
    try {
      const c = await createContact(input);
      setForm(EMPTY);
      setCustom({});
      onCreated(c);
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        const shown = Object.keys(err.fields).filter((f) => f in EMPTY || f.startsWith('custom.'));
        if (err.status === 409 && err.existingId) setExisting(err.existingId);
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
    <Dialog open={open} title="New contact" onClose={close}>
      <form onSubmit={(e) => void submit(e)} noValidate className="form-grid">
        {formError && (
          <p className="form-error" role="alert">
            {formError}
            {existing && (
              <>
                {' '}
                <Link to={`/contacts/${existing}`} onClick={close}>
                  Open the existing contact
                </Link>
              </>
            )}
          </p>
        )}
        <TextField label="First name" field="first_name" value={form.first_name} error={errors.first_name} onChange={set('first_name')} autoFocus />
        <TextField label="Last name" field="last_name" value={form.last_name} error={errors.last_name} onChange={set('last_name')} />
        <TextField label="Email" field="email" type="email" value={form.email} error={errors.email} onChange={set('email')} />
        <TextField label="Phone" field="phone" type="tel" value={form.phone} error={errors.phone} onChange={set('phone')} />
        <SelectField label="Lifecycle stage" field="lifecycle_stage" value={form.lifecycle_stage} error={errors.lifecycle_stage} onChange={set('lifecycle_stage')}>
          {LIFECYCLE_STAGES.map((s) => (
            <option key={s} value={s}>
              {humanize(s)}
            </option>
          ))}
        </SelectField>
        {fields.map((f) => (
          <CustomFieldInput
            key={f.id}
            field={f}
            value={custom[f.key]}
            error={errors[`custom.${f.key}`]}
            onChange={(v) => setCustom((c) => ({ ...c, [f.key]: customFromInput(v, f) }))}
          />
        ))}
        <p className="field-hint form-wide">A contact needs at least a name, an email or a phone number.</p>
        <div className="form-actions form-wide">
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </Dialog>
  );
}
