import { NavLink, Outlet } from 'react-router-dom';
import { useSession } from '../../session/SessionContext';

export function SettingsLayout() {
  const session = useSession();
  const admin = session.can('create', 'user');
  return (
    <div className="page page-settings">
      <div className="page-header">
        <h1>Settings</h1>
      </div>
      <nav className="tabs" aria-label="Settings">
        <NavLink to="/settings/fields">Custom fields</NavLink>
        {admin && <NavLink to="/settings/users">Users</NavLink>}
        {session.can('read', 'api_key') && <NavLink to="/settings/api-keys">API keys</NavLink>}
        {session.can('read', 'audit') && <NavLink to="/settings/audit">Audit log</NavLink>}
      </nav>
      <Outlet />
    </div>
  );
}

export function AdminOnly({ what }: { what: string }) {
  return (
    <div className="state state-empty">
      <p className="state-title">Only owners and admins can {what}.</p>
      <p>Ask an owner or admin of this workspace if you need access.</p>
    </div>
  );
}
