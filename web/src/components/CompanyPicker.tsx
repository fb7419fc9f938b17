import { useEffect, useId, useState } from 'react';
import { listCompanies } from '../api/companies';
import type { Company } from '../api/types';
import { useDebounced } from '../hooks/useDebounced';
import { FieldError } from './Field';

/** Chooses a company by searching its name or domain. */
export function CompanyPicker({
  value,
  valueName,
  error,
  onChange,
}: {
  value: number | null;
  valueName: string | null;
  error?: string;
  onChange: (id: number | null, name: string | null) => void;
}) {
  const id = useId();
  const [q, setQ] = useState('');
  const query = useDebounced(q, 250);
  const [results, setResults] = useState<Company[]>([]);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    if (!query.trim()) {
      setResults([]);
      return;
    }
    const ctrl = new AbortController();
    setSearching(true);
    listCompanies({ q: query.trim(), limit: 8, signal: ctrl.signal })
      .then((p) => setResults(p.data))
      .catch(() => setResults([]))
      .finally(() => {
        if (!ctrl.signal.aborted) setSearching(false);
      });
    return () => ctrl.abort();
  }, [query]);

  return (
    <div className="field company-picker">
      <label htmlFor={id}>Company</label>
      {value !== null && (
        <p className="picked">
          <span>{valueName ?? `Company #${value}`}</span>{' '}
          <button type="button" className="btn-link" onClick={() => onChange(null, null)}>
            Remove company
          </button>
        </p>
      )}
      <input
        id={id}
        type="search"
        placeholder={value === null ? 'Search companies' : 'Search to change'}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-err` : undefined}
      />
      {searching && <span className="muted">Searching…</span>}
      {results.length > 0 && (
        <ul className="picker-results" aria-label="Matching companies">
          {results.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className="btn-link"
                onClick={() => {
                  onChange(c.id, c.name);
                  setQ('');
                  setResults([]);
                }}
              >
                {c.name}
                {c.domain ? ` (${c.domain})` : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FieldError field="company_id" message={error} id={`${id}-err`} />
    </div>
  );
}
