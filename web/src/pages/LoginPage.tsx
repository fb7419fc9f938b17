import { useState } from 'react';
import type { FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { isApiError, errorMessage } from '../api/client';
import { TextField } from '../components/Field';
import { useSession } from '../session/SessionContext';

export function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = new URLSearchParams(location.search).get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/contacts';

  if (session.status === 'signed-in') return <Navigate to={target} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.signIn(email.trim(), password);
      navigate(target, { replace: true });
    } catch (err) {
      if (isApiError(err) && err.status === 429) {
        setError(
          `Too many attempts. Try again in ${err.retryAfter ?? 60} seconds.`,
        );
      } else if (isApiError(err) && err.status === 401) {
        setError('Email or password is wrong.');
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login">
      <main className="login-card">
        <h1 className="brand-large">Rapport</h1>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <h2>Sign in</h2>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <TextField
            label="Email"
            field="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <TextField
            label="Password"
            field="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            Sign in
          </button>
        </form>
        <details className="first-run">
          <summary>First time here?</summary>
          <p>
            An administrator creates the first account on the server. It prints a one-time
            password to sign in with:
          </p>
          <pre>rapport user add --data DIR --email you@example.com --role owner</pre>
          <p>
            With <code>make run</code> this happens on the first start for{' '}
            <code>OWNER_EMAIL</code>. After signing in, invite your team under Settings → Users.
          </p>
        </details>
      </main>
    </div>
  );
}
