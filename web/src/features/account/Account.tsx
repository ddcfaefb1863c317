// My account: who I am and where I am a member, two-factor sign-in, and my password.
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { Loading, Page } from '../../components/Page';
import { ChangePassword } from './ChangePassword';
import { TwoFactor } from './TwoFactor';

function Details() {
  const { t } = useTranslation();
  const { me } = useSession();
  if (!me) return null;
  return (
    <section className="account-section" aria-labelledby="details-heading">
      <h2 id="details-heading">{t('account:details.heading')}</h2>
      <dl className="account-details">
        <dt>{t('account:details.name')}</dt>
        <dd>{me.name}</dd>
        <dt>{t('account:details.email')}</dt>
        <dd>{me.email}</dd>
        <dt>{t('account:details.memberships')}</dt>
        <dd>
          {me.memberships.length === 0 ? (
            t('account:details.no_memberships')
          ) : (
            <ul>
              {me.memberships.map((m) => (
                <li key={m.tenant}>
                  {t('account:details.membership', {
                    tenant: m.tenant,
                    role: t(`common:roles.${m.role}`),
                  })}
                </li>
              ))}
            </ul>
          )}
        </dd>
        {me.instance_admin ? (
          <>
            <dt>{t('account:details.instance_admin')}</dt>
            <dd>{t('common:yes')}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export default function Account() {
  const { t } = useTranslation();
  const { me, loading } = useSession();
  return (
    <Page title={t('account:title')}>
      {loading || !me ? (
        <Loading />
      ) : (
        <>
          <Details />
          <TwoFactor />
          <ChangePassword />
        </>
      )}
    </Page>
  );
}
