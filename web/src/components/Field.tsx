// Labelled form controls whose server-side error shows right under the control.
import { useId } from 'react';
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from 'react';

export function FieldError({ field, message, id }: { field: string; message?: string; id?: string }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id} data-testid={`field-error-${field}`}>
      {message}
    </p>
  );
}

interface BaseProps {
  label: string;
  /** The API field path (`email`, `custom.plan`): names the error test hook. */
  field: string;
  error?: string;
  hint?: ReactNode;
  className?: string;
}

function describedBy(errorId: string, hintId: string, error?: string, hint?: ReactNode) {
  return [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
}

export function TextField({
  label,
  field,
  error,
  hint,
  className,
  ...input
}: BaseProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'className'>) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        name={field}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-err`, `${id}-hint`, error, hint)}
        {...input}
      />
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError field={field} message={error} id={`${id}-err`} />
    </div>
  );
}

export function TextAreaField({
  label,
  field,
  error,
  hint,
  className,
  ...input
}: BaseProps & Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'className'>) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={field}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-err`, `${id}-hint`, error, hint)}
        {...input}
      />
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError field={field} message={error} id={`${id}-err`} />
    </div>
  );
}

export function SelectField({
  label,
  field,
  error,
  hint,
  className,
  children,
  ...select
}: BaseProps & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'className'>) {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={field}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(`${id}-err`, `${id}-hint`, error, hint)}
        {...select}
      >
        {children}
      </select>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldError field={field} message={error} id={`${id}-err`} />
    </div>
  );
}

export function CheckboxField({
  label,
  field,
  error,
  className,
  ...input
}: BaseProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'type'>) {
  const id = useId();
  return (
    <div className={`field field-check ${className ?? ''}`}>
      <input
        id={id}
        type="checkbox"
        name={field}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        {...input}
      />
      <label htmlFor={id}>{label}</label>
      <FieldError field={field} message={error} id={`${id}-err`} />
    </div>
  );
}
