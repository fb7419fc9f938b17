import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage, isApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({
  error,
  onRetry,
  title = 'Something went wrong',
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p>{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <p className="state-title">{title}</p>
      {children && <div className="state-body">{children}</div>}
    </div>
  );
}

/** A one-line message after an action (saved, failed). */
export function Notice({
  kind,
  children,
  onDismiss,
}: {
  kind: 'success' | 'error' | 'info';
  children: ReactNode;
  onDismiss?: () => void;
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <span>{children}</span>
      {onDismiss && (
        <button type="button" className="btn-link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/** A record page whose record failed to load: "not found" for a 404, else the error with a retry. */
export function RecordLoadError({
  error,
  noun,
  backTo,
  backLabel,
  onRetry,
}: {
  error: unknown;
  noun: string;
  backTo: string;
  backLabel: string;
  onRetry: () => void;
}) {
  const missing = isApiError(error) && error.status === 404;
  const title = noun.charAt(0).toUpperCase() + noun.slice(1);
  return (
    <div className="page">
      <ErrorState
        title={missing ? `${title} not found` : `Could not load the ${noun}`}
        error={missing ? new Error('It may have been deleted, or it belongs to another workspace.') : error}
        onRetry={missing ? undefined : onRetry}
      />
      <p>
        <Link to={backTo}>{backLabel}</Link>
      </p>
    </div>
  );
}
