import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage, isApiError } from '../../api/client';
import { createCustomField, deleteCustomField, listCustomFields, updateCustomField } from '../../api/customFields';
import type { CustomField, CustomFieldEntity, CustomFieldType } from '../../api/types';
import { CUSTOM_FIELD_TYPES } from '../../api/types';
import { CheckboxField, SelectField, TextAreaField, TextField } from '../../components/Field';
import { Empty, ErrorState, Loading, Notice } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { humanize } from '../../lib/format';
import { useSession } from '../../session/SessionContext';

/** Options typed one per line (or separated by commas). */
export function parseOptions(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const EMPTY = { entity: 'contact', key: '', label: '', type: 'text', options: '', required: false };

export function FieldsPage() {
  const session = useSession();
  const fields = useAsync(() => listCustomFields(), [session.workspaceEpoch]);
  const canManage = session.can('create', 'custom_field');
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<number | null>(null);

  async function create(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    setNotice(null);
    try {
      const f = await createCustomField({
        entity: form.entity as CustomFieldEntity,
        key: form.key.trim(),
        label: form.label.trim() || form.key.trim(),
        type: form.type as CustomFieldType,
        required: form.required,
        ...(form.type === 'enum' ? { options: parseOptions(form.options) } : {}),
      });
      setForm(EMPTY);
      setNotice(`Added the ${f.entity} field “${f.label}”.`);
      fields.reload();
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        const shown = Object.keys(err.fields).filter((k) => k in EMPTY || k.startsWith('options'));
        if (shown.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shown));
      } else setFormError(errorMessage(err));
    }
  }

  async function remove(f: CustomField) {
    if (!window.confirm(`Delete the field “${f.label}”? Its values are removed from every ${f.entity}.`)) return;
    try {
      await deleteCustomField(f.id);
      setNotice(`Deleted “${f.label}”.`);
      fields.reload();
    } catch (err) {
      setNotice(null);
      window.alert(errorMessage(err));
    }
  }

  const optionsError = errors.options ?? Object.entries(errors).find(([k]) => k.startsWith('options['))?.[1];
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section aria-labelledby="fields-title">
      <h2 id="fields-title">Custom fields</h2>
      <p className="muted">Extra fields on contacts and companies. Values are checked on every write.</p>
      {notice && <Notice kind="success" onDismiss={() => setNotice(null)}>{notice}</Notice>}
      {fields.loading && !fields.data ? (
        <Loading />
      ) : fields.error ? (
        <ErrorState error={fields.error} onRetry={fields.reload} />
      ) : (fields.data ?? []).length === 0 ? (
        <Empty title="No custom fields yet">{canManage && <p>Add one below, for example a “Plan” choice for contacts.</p>}</Empty>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Key</th>
                <th scope="col">Record</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                {canManage && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {(fields.data ?? []).map((f) =>
                editing === f.id ? (
                  <tr key={f.id}>
                    <td colSpan={canManage ? 6 : 5}>
                      <EditField
                        field={f}
                        onDone={(changed) => {
                          setEditing(null);
                          if (changed) fields.reload();
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={f.id}>
                    <td>{f.label}</td>
                    <td className="mono">{f.key}</td>
                    <td>{humanize(f.entity)}</td>
                    <td>
                      {humanize(f.type)}
                      {f.options && <span className="muted"> ({f.options.join(', ')})</span>}
                    </td>
                    <td>{f.required ? 'Yes' : 'No'}</td>
                    {canManage && (
                      <td className="actions">
                        <button type="button" className="btn-link" onClick={() => setEditing(f.id)} aria-label={`Edit ${f.label}`}>
                          Edit
                        </button>
                        <button type="button" className="btn-link danger" onClick={() => void remove(f)} aria-label={`Delete ${f.label}`}>
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}

      {canManage && (
        <form className="card form-grid" onSubmit={(e) => void create(e)} noValidate aria-labelledby="new-field-title">
          <h3 id="new-field-title" className="form-wide">
            New field
          </h3>
          {formError && (
            <p className="form-error form-wide" role="alert">
              {formError}
            </p>
          )}
          <SelectField label="Record" field="entity" value={form.entity} error={errors.entity} onChange={set('entity')}>
            <option value="contact">Contact</option>
            <option value="company">Company</option>
          </SelectField>
          <TextField label="Label" field="label" value={form.label} error={errors.label} onChange={set('label')} />
          <TextField
            label="Key"
            field="key"
            className="mono"
            value={form.key}
            error={errors.key}
            hint="Lower case letters, digits and _; cannot change later."
            onChange={set('key')}
          />
          <SelectField label="Type" field="type" value={form.type} error={errors.type} onChange={set('type')}>
            {CUSTOM_FIELD_TYPES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </SelectField>
          {form.type === 'enum' && (
            <TextAreaField
              label="Options (one per line)"
              field="options"
              rows={3}
              value={form.options}
              error={optionsError}
              onChange={set('options')}
            />
          )}
          <CheckboxField
            label="Required on new records"
            field="required"
            checked={form.required}
            onChange={(e) => setForm((f) => ({ ...f, required: e.target.checked }))}
          />
          <div className="form-actions form-wide">
            <button type="submit" className="btn btn-primary">
              Add field
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function EditField({ field, onDone }: { field: CustomField; onDone: (changed: boolean) => void }) {
  const id = useId();
  const [label, setLabel] = useState(field.label);
  const [required, setRequired] = useState(field.required);
  const [options, setOptions] = useState((field.options ?? []).join('\n'));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function save(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    try {
      await updateCustomField(
        field.id,
        { label, required, ...(field.type === 'enum' ? { options: parseOptions(options) } : {}) },
        field.version,
      );
      onDone(true);
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        setFormError(err.describe(Object.keys(err.fields).filter((k) => ['label', 'required', 'options'].includes(k))));
      } else setFormError(errorMessage(err));
    }
  }

  return (
    <form className="form-grid" onSubmit={(e) => void save(e)} noValidate aria-labelledby={id}>
      <h3 id={id} className="form-wide">
        Edit “{field.label}” <span className="muted mono">({field.entity}.{field.key})</span>
      </h3>
      {formError && (
        <p className="form-error form-wide" role="alert">
          {formError}
        </p>
      )}
      <TextField label="Label" field="label" value={label} error={errors.label} onChange={(e) => setLabel(e.target.value)} />
      {field.type === 'enum' && (
        <TextAreaField label="Options (one per line)" field="options" rows={3} value={options} error={errors.options} onChange={(e) => setOptions(e.target.value)} />
      )}
      <CheckboxField label="Required on new records" field="required" checked={required} onChange={(e) => setRequired(e.target.checked)} />
      <div className="form-actions form-wide">
        <button type="button" className="btn" onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary">
          Save
        </button>
      </div>
    </form>
  );
}
