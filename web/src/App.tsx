import { Suspense, lazy } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/Layout';
import { ErrorState, Loading } from './components/States';
import { CompaniesPage } from './pages/CompaniesPage';
import { CompanyPage } from './pages/CompanyPage';
import { ContactPage } from './pages/ContactPage';
import { ContactsPage } from './pages/ContactsPage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { ApiKeysPage } from './pages/settings/ApiKeysPage';
import { AuditPage } from './pages/settings/AuditPage';
import { FieldsPage } from './pages/settings/FieldsPage';
import { SettingsLayout } from './pages/settings/SettingsLayout';
import { UsersPage } from './pages/settings/UsersPage';
import { SessionProvider, useSession } from './session/SessionContext';

// Written by the segment builder (web/src/segments/); loaded on demand.
const SegmentsPage = lazy(() => import('./segments/SegmentsPage'));

function LazySegments() {
  return (
    <Suspense fallback={<Loading />}>
      <SegmentsPage />
    </Suspense>
  );
}

function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.status === 'loading') return <Loading label="Starting Rapport…" />;
  if (session.status === 'error')
    return (
      <main className="main">
        <ErrorState error={new Error(session.error ?? 'unknown error')} onRetry={() => void session.refresh()} />
      </main>
    );
  if (session.status === 'signed-out') {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Layout />;
}

function LoginRoute() {
  const session = useSession();
  if (session.status === 'loading') return <Loading label="Starting Rapport…" />;
  return <LoginPage />;
}

export function App() {
  return (
    <BrowserRouter>
      <SessionProvider>
        <Routes>
          <Route path="/login" element={<LoginRoute />} />
          <Route element={<RequireSession />}>
            <Route index element={<Navigate to="/contacts" replace />} />
            <Route path="contacts" element={<ContactsPage />} />
            <Route path="contacts/:id" element={<ContactPage />} />
            <Route path="companies" element={<CompaniesPage />} />
            <Route path="companies/:id" element={<CompanyPage />} />
            <Route path="segments" element={<LazySegments />} />
            <Route path="segments/:id" element={<LazySegments />} />
            <Route path="settings" element={<SettingsLayout />}>
              <Route index element={<Navigate to="fields" replace />} />
              <Route path="fields" element={<FieldsPage />} />
              <Route path="users" element={<UsersPage />} />
              <Route path="api-keys" element={<ApiKeysPage />} />
              <Route path="audit" element={<AuditPage />} />
            </Route>
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </SessionProvider>
    </BrowserRouter>
  );
}
