// The rule's text form with its parse errors shown at the spot: the offending line is
// repeated under the box with a caret under the column, and "Show" puts the cursor there.

import { useId, useRef } from 'react';

import type { RuleError } from '../api/segments';
import { offsetOf } from './textPosition';

interface Props {
  value: string;
  onChange: (text: string) => void;
  errors: readonly RuleError[];
  readOnly: boolean;
}

export function RuleText({ value, onChange, errors, readOnly }: Props) {
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const located = errors.filter((e) => e.line > 0);
  const lines = value.split('\n');

  function show(e: RuleError) {
    const box = ref.current;
    if (!box) return;
    const at = offsetOf(value, e.line, e.column);
    box.focus();
    box.setSelectionRange(at, Math.min(at + 1, value.length));
  }

  return (
    <div className="field seg-text">
      <label htmlFor={id}>Rule text</label>
      <textarea
        id={id}
        ref={ref}
        className="seg-textarea"
        value={value}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        rows={Math.min(12, Math.max(3, lines.length + 1))}
        readOnly={readOnly}
        aria-invalid={located.length > 0 ? true : undefined}
        aria-describedby={located.length > 0 ? `${id}-errors` : `${id}-hint`}
        placeholder={'tag "vip" and count(purchase, last 365 days) >= 3'}
        onChange={(e) => onChange(e.target.value)}
      />
      {located.length === 0 ? (
        <p className="field-hint" id={`${id}-hint`}>
          Type a rule or build it above; both stay in sync.
        </p>
      ) : (
        <div id={`${id}-errors`} className="seg-text-errors" role="alert" data-testid="rule-errors">
          {located.map((e, i) => {
            const line = lines[e.line - 1] ?? '';
            const col = Math.max(1, e.column);
            return (
              <div key={i} className="seg-text-error">
                <p className="field-error">
                  Line {e.line}, column {e.column}: {e.message}{' '}
                  <button type="button" className="btn-link" onClick={() => show(e)}>
                    Show
                  </button>
                </p>
                <pre className="seg-caret" aria-hidden="true">
                  {line}
                  {'\n'}
                  {' '.repeat(col - 1)}^
                </pre>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
