// The frame around every signed-in screen: skip link, header with the tenant switcher, language
// and account, the navigation of the current tenant, the crisis banner and the live region.
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { ProblemMessage } from '../api/problem';
import { useTranslation } from 'react-i18next';
import { can, useSession, useSignOut } from '../auth/session';
import { languages } from '../i18n';
import { useCrisis } from './tenant';
import { useLiveEvents } from './live';

function TenantSwitcher() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { tenant } = useParams();
  const navigate = useNavigate();
  const memberships = me?.memberships ?? [];
  const [chosen, setChosen] = useState(tenant ?? '');
  useEffect(() => setChosen(tenant ?? ''), [tenant]);
  if (memberships.length === 0) return null;
  // Choosing in the list changes nothing until the button is pressed (WCAG 3.2.2).
  return (
    <form
      className="tenant-switcher"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen && chosen !== tenant) navigate(`/t/${chosen}`);
      }}
    >
      <label htmlFor="tenant-switcher">{t('common:tenant_switcher')}</label>
      <select id="tenant-switcher" value={chosen} onChange={(e) => setChosen(e.target.value)}>
        {tenant ? null : <option value="">{t('common:choose_tenant')}</option>}
        {memberships.map((m) => (
          <option key={m.tenant} value={m.tenant}>
            {m.tenant}
          </option>
        ))}
      </select>
      <button type="submit">{t('common:switch_tenant')}</button>
    </form>
  );
}

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="language-switch">
      <label htmlFor="language">{t('common:language')}</label>
      <select id="language" value={i18n.language} onChange={(e) => i18n.changeLanguage(e.target.value)}>
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`common:languages.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function CrisisBanner({ tenant }: { tenant: string }) {
  const { t } = useTranslation();
  const crisis = useCrisis(tenant);
  if (!crisis.data?.active) return null;
  return (
    <div className="crisis-banner" role="region" aria-label={t('common:crisis.banner_label')}>
      <strong>
        <span aria-hidden="true">⚠ </span>
        {t('common:crisis.active')}
      </strong>{' '}
      {crisis.data.message}{' '}
      <NavLink to={`/t/${tenant}/crisis`}>{t('common:crisis.details')}</NavLink>
    </div>
  );
}

function TenantNav({ tenant }: { tenant: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const role = me?.memberships.find((m) => m.tenant === tenant)?.role ?? null;
  const base = `/t/${tenant}`;
  const links: [string, string, boolean][] = [
    [base, 'nav.dashboard', true],
    [`${base}/compose`, 'nav.compose', can.compose(role)],
    [`${base}/posts`, 'nav.posts', true],
    [`${base}/calendar`, 'nav.calendar', true],
    [`${base}/approvals`, 'nav.approvals', can.approve(role)],
    [`${base}/channels`, 'nav.channels', true],
    [`${base}/crisis`, 'nav.crisis', true],
    [`${base}/members`, 'nav.members', true],
    [`${base}/policy`, 'nav.policy', true],
    [`${base}/audit`, 'nav.audit', can.audit(role)],
    [`${base}/settings`, 'nav.settings', true],
  ];
  return (
    <nav aria-label={t('common:nav.label')} className="tenant-nav">
      <ul>
        {links
          .filter(([, , shown]) => shown)
          .map(([to, key]) => (
            <li key={to}>
              <NavLink to={to} end={to === base}>
                {t(`common:${key}`)}
              </NavLink>
            </li>
          ))}
      </ul>
    </nav>
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const { me } = useSession();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const { tenant } = useParams();
  const location = useLocation();
  const [signOutProblem, setSignOutProblem] = useState<unknown>(null);
  useLiveEvents(tenant ?? '');
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('common:skip_to_content')}
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand">
          {t('common:product')}
        </NavLink>
        <TenantSwitcher />
        <div className="header-end">
          <LanguageSwitch />
          {me?.instance_admin ? <NavLink to="/admin">{t('common:nav.admin')}</NavLink> : null}
          <NavLink to="/account">{t('common:nav.account')}</NavLink>
          <button
            type="button"
            onClick={async () => {
              try {
                setSignOutProblem(null);
                await signOut();
                navigate('/sign-in');
              } catch (e) {
                setSignOutProblem(e);
              }
            }}
          >
            {t('common:sign_out')}
          </button>
        </div>
      </header>
      {signOutProblem ? (
        <div className="sign-out-problem">
          <p>{t('common:sign_out_failed')}</p>
          <ProblemMessage error={signOutProblem} />
        </div>
      ) : null}
      {me && !me.mfa_enabled && location.pathname !== '/account' ? (
        <div className="mfa-banner" role="region" aria-label={t('common:mfa_banner.label')}>
          {t('common:mfa_banner.text')} <NavLink to="/account#two-factor">{t('common:mfa_banner.link')}</NavLink>
        </div>
      ) : null}
      {tenant ? <CrisisBanner tenant={tenant} /> : null}
      <div className="app-body">
        {tenant ? <TenantNav tenant={tenant} /> : null}
        <main id="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
      <footer className="app-footer">
        <NavLink to="/accessibility">{t('common:accessibility_statement')}</NavLink>
      </footer>
    </div>
  );
}
