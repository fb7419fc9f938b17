import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage, isApiError } from '../api/client';
import { FieldError } from './Field';

/** A record's tags with add/remove controls (when `editable`). */
export function TagEditor({
  tags,
  editable,
  suggestions,
  onAdd,
  onRemove,
}: {
  tags: string[];
  editable: boolean;
  suggestions: string[];
  onAdd: (name: string) => Promise<void>;
  onRemove: (name: string) => Promise<void>;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function add(e: FormEvent) {
    e.preventDefault();
    const value = name.trim();
    if (!value) {
      setError('Enter a tag name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onAdd(value);
      setName('');
    } catch (err) {
      setError(isApiError(err) ? (err.fieldErrors[0]?.message ?? errorMessage(err)) : errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(tag: string) {
    setError(null);
    try {
      await onRemove(tag);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <section className="card tags-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Tags</h2>
      {tags.length === 0 ? (
        <p className="muted">No tags.</p>
      ) : (
        <ul className="tag-list" aria-label="Tags">
          {tags.map((t) => (
            <li key={t} className="tag">
              <span>{t}</span>
              {editable && (
                <button type="button" className="tag-remove" aria-label={`Remove tag ${t}`} onClick={() => void remove(t)}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form className="inline-form" onSubmit={(e) => void add(e)} noValidate>
          <div className="field field-inline field-grow">
            <label htmlFor={id}>New tag</label>
            <input
              id={id}
              list={`${id}-list`}
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `${id}-err` : undefined}
            />
            <datalist id={`${id}-list`}>
              {suggestions
                .filter((s) => !tags.includes(s))
                .map((s) => (
                  <option key={s} value={s} />
                ))}
            </datalist>
            <FieldError field="tags" message={error ?? undefined} id={`${id}-err`} />
          </div>
          <button type="submit" className="btn" disabled={busy}>
            Add tag
          </button>
        </form>
      )}
    </section>
  );
}
