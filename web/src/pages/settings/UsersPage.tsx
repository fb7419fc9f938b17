import { useState } from 'react';
import type { FormEvent } from 'react';
import { errorMessage, isApiError } from '../../api/client';
import type { MemberCreated, Role } from '../../api/types';
import { changeUserRole, createUser, listUsers, removeUser } from '../../api/users';
import { SelectField, TextField } from '../../components/Field';
import { Empty, ErrorState, Loading, Notice } from '../../components/States';
import { useAsync } from '../../hooks/useAsync';
import { formatDate, humanize } from '../../lib/format';
import { grantableRoles } from '../../session/permissions';
import { useSession } from '../../session/SessionContext';
import { AdminOnly } from './SettingsLayout';

const EMPTY = { email: '', name: '', role: 'member' };

export function UsersPage() {
  const session = useSession();
  const users = useAsync(() => listUsers(), [session.workspaceEpoch]);
  const [form, setForm] = useState(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<MemberCreated | null>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const grantable = grantableRoles(session.role);

  if (!session.can('create', 'user')) return <AdminOnly what="manage users and roles" />;

  async function add(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    setCreated(null);
    try {
      const u = await createUser({ email: form.email.trim(), role: form.role as Role, name: form.name.trim() || null });
      setCreated(u);
      setForm(EMPTY);
      users.reload();
    } catch (err) {
      if (isApiError(err)) {
        setErrors(err.fields);
        const shown = Object.keys(err.fields).filter((k) => k in EMPTY);
        if (shown.length < err.fieldErrors.length || err.fieldErrors.length === 0) setFormError(err.describe(shown));
      } else setFormError(errorMessage(err));
    }
  }

  async function setRole(id: number, role: Role) {
    setNotice(null);
    try {
      await changeUserRole(id, role);
      setNotice({ kind: 'success', text: `Role changed to ${role}.` });
      users.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
      users.reload();
    }
  }

  async function remove(id: number, email: string) {
    if (!window.confirm(`Remove ${email} from this workspace?`)) return;
    setNotice(null);
    try {
      await removeUser(id);
      setNotice({ kind: 'success', text: `Removed ${email}.` });
      users.reload();
    } catch (err) {
      setNotice({ kind: 'error', text: errorMessage(err) });
    }
  }

  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      {notice && <Notice kind={notice.kind} onDismiss={() => setNotice(null)}>{notice.text}</Notice>}
      {users.loading && !users.data ? (
        <Loading />
      ) : users.error ? (
        <ErrorState error={users.error} onRetry={users.reload} />
      ) : (users.data ?? []).length === 0 ? (
        <Empty title="No users" />
      ) : (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {(users.data ?? []).map((u) => {
                const self = u.id === session.userId;
                const editable = !self && (session.role === 'owner' || u.role !== 'owner');
                return (
                  <tr key={u.id}>
                    <td>{u.email}</td>
                    <td>{u.name ?? ''}</td>
                    <td>
                      {editable ? (
                        <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => void setRole(u.id, e.target.value as Role)}>
                          {(grantable.includes(u.role) ? grantable : [u.role, ...grantable]).map((r) => (
                            <option key={r} value={r}>
                              {humanize(r)}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <>
                          {humanize(u.role)}
                          {self && <span className="muted"> (you)</span>}
                        </>
                      )}
                    </td>
                    <td>{formatDate(u.created_at)}</td>
                    <td className="actions">
                      {editable && (
                        <button type="button" className="btn-link danger" onClick={() => void remove(u.id, u.email)} aria-label={`Remove ${u.email}`}>
                          Remove
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      {created?.password && (
        <div className="secret card" role="status">
          <p>
            <strong>{created.email}</strong> can sign in with this one-time password. It is shown only now:
          </p>
          <output className="secret-value mono">{created.password}</output>
          <button type="button" className="btn" onClick={() => void navigator.clipboard?.writeText(created.password ?? '')}>
            Copy password
          </button>
          <button type="button" className="btn-link" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {created && !created.password && (
        <Notice kind="success" onDismiss={() => setCreated(null)}>
          Added {created.email} ({created.role}). They sign in with their existing password.
        </Notice>
      )}

      <form className="card form-grid" onSubmit={(e) => void add(e)} noValidate aria-labelledby="add-user-title">
        <h3 id="add-user-title" className="form-wide">
          Add a user
        </h3>
        {formError && (
          <p className="form-error form-wide" role="alert">
            {formError}
          </p>
        )}
        <TextField label="Email" field="email" type="email" value={form.email} error={errors.email} onChange={set('email')} />
        <TextField label="Name" field="name" value={form.name} error={errors.name} onChange={set('name')} />
        <SelectField label="Role" field="role" value={form.role} error={errors.role} onChange={set('role')}>
          {grantable.map((r) => (
            <option key={r} value={r}>
              {humanize(r)}
            </option>
          ))}
        </SelectField>
        <div className="form-actions form-wide">
          <button type="submit" className="btn btn-primary">
            Add user
          </button>
        </div>
      </form>
    </section>
  );
}
