import { useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useSession } from '../session/SessionContext';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

export function Layout() {
  const session = useSession();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const user = session.me?.user;

  async function signOut() {
    await session.signOut();
    navigate('/login', { replace: true });
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/contacts" className="brand">
          Rapport
        </NavLink>
        <button
          type="button"
          className="btn menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav
          id="main-nav"
          className={`main-nav${menuOpen ? ' is-open' : ''}`}
          aria-label="Main"
          onClick={() => setMenuOpen(false)}
        >
          <NavLink to="/contacts">Contacts</NavLink>
          <NavLink to="/companies">Companies</NavLink>
          <NavLink to="/segments">Segments</NavLink>
          <NavLink to="/settings">Settings</NavLink>
        </nav>
        <div className={`topbar-user${menuOpen ? ' is-open' : ''}`}>
          <WorkspaceSwitcher />
          {user && (
            <span className="user-name" title={user.email}>
              {user.name || user.email}
              <span className="role-badge">{session.role}</span>
            </span>
          )}
          <button type="button" className="btn" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
