// The route table. Screens load lazily so the sign-in page stays small.
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from './auth/session';
import { AppShell } from './layout/AppShell';
import { Loading, Page } from './components/Page';
import { ProblemMessage } from './api/problem';
import { ErrorBoundary } from './components/ErrorBoundary';

const SignIn = lazy(() => import('./features/signin/SignIn'));
const SetPassword = lazy(() => import('./features/signin/SetPassword'));
const Account = lazy(() => import('./features/account/Account'));
const Statement = lazy(() => import('./features/accessibility/Statement'));
const Dashboard = lazy(() => import('./features/dashboard/Dashboard'));
const Composer = lazy(() => import('./features/posts/Composer'));
const PostList = lazy(() => import('./features/posts/PostList'));
const PostDetail = lazy(() => import('./features/posts/PostDetail'));
const Calendar = lazy(() => import('./features/calendar/Calendar'));
const Approvals = lazy(() => import('./features/approvals/ApprovalQueue'));
const Crisis = lazy(() => import('./features/crisis/Crisis'));
const Channels = lazy(() => import('./features/channels/Channels'));
const Members = lazy(() => import('./features/members/Members'));
const Policy = lazy(() => import('./features/policy/ApprovalPolicy'));
const Audit = lazy(() => import('./features/audit/AuditLog'));
const Admin = lazy(() => import('./features/admin/InstanceAdmin'));
const Settings = lazy(() => import('./features/settings/TenantSettings'));

function RequireSession({ children }: { children: ReactNode }) {
  const { me, loading, error, reload } = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (loading) return <Loading />;
  if (!me && error) {
    return (
      <main id="main" className="auth-page">
        <ProblemMessage error={error} />
        <button type="button" onClick={() => void reload()}>
          {t('common:try_again')}
        </button>
      </main>
    );
  }
  if (!me) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  return <>{children}</>;
}

function Home() {
  const { me } = useSession();
  const { t } = useTranslation();
  const first = me?.memberships[0]?.tenant;
  if (first) return <Navigate to={`/t/${first}`} replace />;
  if (me?.instance_admin) return <Navigate to="/admin" replace />;
  return (
    <Page title={t('common:no_tenant.title')}>
      <p>{t('common:no_tenant.text')}</p>
    </Page>
  );
}

function NotFound() {
  const { t } = useTranslation();
  return (
    <Page title={t('common:not_found.title')}>
      <p>{t('common:not_found.text')}</p>
    </Page>
  );
}

export function App() {
  return (
    <ErrorBoundary>
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/set-password" element={<SetPassword />} />
        <Route path="/accessibility" element={<Statement />} />
        <Route
          element={
            <RequireSession>
              <AppShell />
            </RequireSession>
          }
        >
          <Route index element={<Home />} />
          <Route path="account" element={<Account />} />
          <Route path="admin" element={<Admin />} />
          <Route path="t/:tenant">
            <Route index element={<Dashboard />} />
            <Route path="compose" element={<Composer />} />
            <Route path="posts" element={<PostList />} />
            <Route path="posts/:id" element={<PostDetail />} />
            <Route path="posts/:id/edit" element={<Composer />} />
            <Route path="calendar" element={<Calendar />} />
            <Route path="approvals" element={<Approvals />} />
            <Route path="crisis" element={<Crisis />} />
            <Route path="channels" element={<Channels />} />
            <Route path="members" element={<Members />} />
            <Route path="policy" element={<Policy />} />
            <Route path="audit" element={<Audit />} />
            <Route path="settings" element={<Settings />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
    </ErrorBoundary>
  );
}
