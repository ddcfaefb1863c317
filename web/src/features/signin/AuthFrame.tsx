// The frame of the pages shown without a session (signing in, setting a password, the
// accessibility statement): the product name, a language choice, the main region with the page's
// heading, and a footer that links to the accessibility statement.
import { useEffect, useId, type ReactNode } from 'react';
import { Link, NavLink } from 'react-router';
import { useTranslation } from 'react-i18next';
import { languages } from '../../i18n';

function LanguageSelect() {
  const { t, i18n } = useTranslation();
  const id = useId();
  const current = languages.find((l) => i18n.language?.startsWith(l)) ?? 'en';
  return (
    <div className="language-switch">
      <label htmlFor={id}>{t('common:language')}</label>
      <select id={id} value={current} onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {languages.map((l) => (
          <option key={l} value={l} lang={l}>
            {t(`common:languages.${l}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

export function AuthFrame({
  title,
  wide,
  children,
}: {
  title: string;
  /** For reading pages (the statement) rather than a narrow form. */
  wide?: boolean;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} — ${t('common:product')}`;
  }, [title, t]);
  return (
    <div className="app auth-frame">
      <a className="skip-link" href="#main">
        {t('common:skip_to_content')}
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          {t('common:product')}
        </Link>
        <div className="header-end">
          <LanguageSelect />
        </div>
      </header>
      <main id="main" tabIndex={-1} className={wide ? 'auth-page auth-page-wide' : 'auth-page'}>
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {children}
      </main>
      <footer className="app-footer">
        <NavLink to="/accessibility">{t('common:accessibility_statement')}</NavLink>
      </footer>
    </div>
  );
}
