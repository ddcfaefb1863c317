// Instance administration: the tenants (agencies) on this Heraut, its plugins and the background
// jobs that gave up. Only instance
// administrators see it; the server checks again on every request.
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { Page } from '../../components/Page';
import { Jobs } from './Jobs';
import { Plugins } from './Plugins';
import { Tenants } from './Tenants';

export default function InstanceAdmin() {
  const { t } = useTranslation();
  const { me } = useSession();
  if (!me?.instance_admin) {
    return (
      <Page title={t('admin:title')}>
        <p role="alert">{t('admin:not_allowed')}</p>
      </Page>
    );
  }
  return (
    <Page title={t('admin:title')}>
      <Tenants />
      <Plugins />
      <Jobs />
    </Page>
  );
}
