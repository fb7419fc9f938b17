import { useId, useState } from 'react';
import { errorMessage } from '../api/client';
import { useSession } from '../session/SessionContext';

/** Shown only to users who belong to more than one workspace. */
export function WorkspaceSwitcher() {
  const session = useSession();
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  if (session.workspaces.length < 2) return null;
  return (
    <div className="workspace-switcher">
      <label htmlFor={id}>Workspace</label>
      <select
        id={id}
        value={session.workspaceId ?? ''}
        onChange={(e) => {
          setError(null);
          session.switchWorkspace(Number(e.target.value)).catch((err: unknown) => setError(errorMessage(err)));
        }}
      >
        {session.workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
