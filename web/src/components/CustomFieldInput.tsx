import type { CustomField, CustomValue } from '../api/types';
import { customInputValue } from '../lib/custom';
import { CheckboxField, SelectField, TextField } from './Field';

/** The input for one custom field, by its type; errors are named `custom.<key>`. */
export function CustomFieldInput({
  field,
  value,
  error,
  onChange,
}: {
  field: CustomField;
  value: CustomValue | undefined;
  error?: string;
  onChange: (v: string | boolean) => void;
}) {
  const name = `custom.${field.key}`;
  const label = field.required ? `${field.label} (required)` : field.label;
  switch (field.type) {
    case 'boolean':
      return (
        <CheckboxField
          label={field.label}
          field={name}
          error={error}
          checked={value === true}
          onChange={(e) => onChange(e.target.checked)}
        />
      );
    case 'enum':
      return (
        <SelectField label={label} field={name} error={error} value={customInputValue(value)} onChange={(e) => onChange(e.target.value)}>
          <option value="">—</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </SelectField>
      );
    case 'date':
      return (
        <TextField label={label} field={name} error={error} type="date" value={customInputValue(value)} onChange={(e) => onChange(e.target.value)} />
      );
    case 'number':
      return (
        <TextField label={label} field={name} error={error} inputMode="decimal" value={customInputValue(value)} onChange={(e) => onChange(e.target.value)} />
      );
    default:
      return (
        <TextField label={label} field={name} error={error} value={customInputValue(value)} onChange={(e) => onChange(e.target.value)} />
      );
  }
}
