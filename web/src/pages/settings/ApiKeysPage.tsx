import { useState } from 'react';
import type { FormEvent } from 'react';
import { createApiKey, listApiKeys, revokeApiKey } from '../../api/apiKeys';
import { errorMessage, isApiError } from '../../api/client';
import type { ApiKeyCreated, Role } from '../../api/types';
import { SelectField, TextField } from '../../components/Field';
import { Empty, ErrorState, Loading, Notice } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatDateTime, humanize } from '../../lib/format';
import { grantableRoles } from '../../session/permissions';
import { useSession } from '../../session/SessionContext';
import { AdminOnly } from './SettingsLayout';

export function ApiKeysPage() {
  const session = useSession();
  const keys = useAsync(() => (session.can('read', 'api_key') ? listApiKeys() : Promise.resolve([])), [session.workspaceEpoch]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [secret, setSecret] = useState<ApiKeyCreated | null>(null);
  const [copied, setCopied] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  if (!session.can('read', 'api_key')) return <AdminOnly what="manage API keys" />;

  async function create(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    setSecret(null);
    setCopied(false);
    try {
      const k = await createApiKey(name.trim(), role);
      setSecret(k);
      setName('');
      keys.reload();
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        const shown = Object.keys(err.fields).filter((k) => k === 'name' || k === 'role');
        if (shown.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shown));
      } else setFormError(errorMessage(err));
    }
  }

  async function revoke(id: number, label: string) {
    if (!window.confirm(`Revoke the key ${label}? Integrations using it stop working at once.`)) return;
    try {
      await revokeApiKey(id);
      setNotice(`Revoked ${label}.`);
      keys.reload();
    } catch (err) {
      window.alert(errorMessage(err));
    }
  }

  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <p className="muted">
        Keys let integrations call the API as <code>Authorization: Bearer rk_…</code>. Each key acts in this workspace with
        its role.
      </p>
      {notice && <Notice kind="success" onDismiss={() => setNotice(null)}>{notice}</Notice>}
      {secret && (
        <div className="secret card" role="status" data-testid="api-key-secret">
          <p>
            <strong>Copy the key now.</strong> It is shown only once; Rapport keeps only a digest.
          </p>
          <output className="secret-value mono">{secret.key}</output>
          <div className="form-actions">
            <button
              type="button"
              className="btn"
              onClick={() => {
                void navigator.clipboard?.writeText(secret.key).then(() => setCopied(true));
              }}
            >
              {copied ? 'Copied' : 'Copy key'}
            </button>
            <button type="button" className="btn-link" onClick={() => setSecret(null)}>
              I have stored it
            </button>
          </div>
        </div>
      )}
      {keys.loading && !keys.data ? (
        <Loading />
      ) : keys.error ? (
        <ErrorState error={keys.error} onRetry={keys.reload} />
      ) : (keys.data ?? []).length === 0 ? (
        <Empty title="No API keys yet" />
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key</th>
                <th scope="col">Role</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {(keys.data ?? []).map((k) => (
                <tr key={k.id} className={k.revoked_at ? 'is-muted' : undefined}>
                  <td>{k.name || <span className="muted">(no name)</span>}</td>
                  <td className="mono">{k.prefix}…</td>
                  <td>{humanize(k.role)}</td>
                  <td>{formatDateTime(k.created_at)}</td>
                  <td>{k.last_used_at ? formatDateTime(k.last_used_at) : 'Never'}</td>
                  <td>
                    {k.revoked_at ? (
                      `Revoked ${formatDateTime(k.revoked_at)}`
                    ) : (
                      <button type="button" className="btn-link danger" onClick={() => void revoke(k.id, k.name || k.prefix)} aria-label={`Revoke ${k.name || k.prefix}`}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="card form-grid" onSubmit={(e) => void create(e)} noValidate aria-labelledby="new-key-title">
        <h3 id="new-key-title" className="form-wide">
          New API key
        </h3>
        {formError && (
          <p className="form-error form-wide" role="alert">
            {formError}
          </p>
        )}
        <TextField label="Name" field="name" placeholder="shop sync" value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
        <SelectField label="Role" field="role" value={role} error={errors.role} onChange={(e) => setRole(e.target.value as Role)}>
          {grantableRoles(session.role).map((r) => (
            <option key={r} value={r}>
              {humanize(r)}
            </option>
          ))}
        </SelectField>
        <div className="form-actions form-wide">
          <button type="submit" className="btn btn-primary">
            Create key
          </button>
        </div>
      </form>
    </section>
  );
}
