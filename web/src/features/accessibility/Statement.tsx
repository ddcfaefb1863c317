// The accessibility statement of this installation's web UI (WCAG 2.1 AA, EN 301 549), public
// and in both languages, as public bodies publish one for every website and application.
import { useTranslation } from 'react-i18next';
import { formatInZone } from '../../components/DateTime';
import { AuthFrame } from '../signin/AuthFrame';

/** When the statement was drawn up; change it whenever its content is reviewed. */
const PREPARED = '2026-11-28T12:00:00Z';

const limitations = ['calendar', 'charts', 'external'] as const;
const scopeItems = ['screens', 'statement'] as const;

export default function Statement() {
  const { t, i18n } = useTranslation();
  const host = typeof window === 'undefined' ? '' : window.location.host;
  const prepared = formatInZone(PREPARED, 'UTC', i18n.language, 'PPP');

  return (
    <AuthFrame title={t('accessibility:title')} wide>
      <p>{t('accessibility:intro')}</p>

      <h2>{t('accessibility:scope.heading')}</h2>
      <p>{host ? t('accessibility:scope.text_host', { host }) : t('accessibility:scope.text')}</p>
      <ul>
        {scopeItems.map((k) => (
          <li key={k}>{t(`accessibility:scope.items.${k}`)}</li>
        ))}
      </ul>

      <h2>{t('accessibility:status.heading')}</h2>
      <p>{t('accessibility:status.text')}</p>
      <p>{t('accessibility:status.method')}</p>

      <h2>{t('accessibility:limitations.heading')}</h2>
      <p>{t('accessibility:limitations.intro')}</p>
      <ul>
        {limitations.map((k) => (
          <li key={k}>
            <strong>{t(`accessibility:limitations.${k}.title`)}</strong>{' '}
            {t(`accessibility:limitations.${k}.text`)}
          </li>
        ))}
      </ul>

      <h2>{t('accessibility:report.heading')}</h2>
      <p>{t('accessibility:report.text')}</p>
      <ul>
        <li>{t('accessibility:report.who.administrator')}</li>
        <li>{t('accessibility:report.who.operator')}</li>
      </ul>
      <p>{t('accessibility:report.details')}</p>

      <h2>{t('accessibility:enforcement.heading')}</h2>
      <p>{t('accessibility:enforcement.text')}</p>
      <p>{t('accessibility:enforcement.netherlands')}</p>

      <h2>{t('accessibility:about.heading')}</h2>
      <p>{t('accessibility:about.prepared', { date: prepared })}</p>
      <p>{t('accessibility:about.review')}</p>
    </AuthFrame>
  );
}
