// Shows a server problem to a person, in their language: the stable `code` picks the
// translation; the server's own detail is the fallback and is shown beside it.
import { useTranslation } from 'react-i18next';
import { ApiProblem } from './client';

export function problemText(
  t: (key: string, options?: Record<string, unknown>) => string,
  error: unknown,
): string {
  if (error instanceof ApiProblem) {
    const key = `errors:${error.code}`;
    const text = t(key, { defaultValue: '' });
    return text || error.detail || t('errors:unknown');
  }
  return t('errors:unknown');
}

/**
 * The `lang` of text the server wrote (problem details, per-item messages, the connectors'
 * checks): English, marked as such when the UI speaks another language so a screen reader
 * pronounces it right; `undefined` in an English UI.
 */
export function useServerTextLang(): 'en' | undefined {
  const { i18n } = useTranslation();
  return (i18n.language ?? 'en').startsWith('en') ? undefined : 'en';
}

/** An alert with what went wrong and, per channel or field, the details. */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
  const serverLang = useServerTextLang();
  if (!error) return null;
  const items = error instanceof ApiProblem ? error.items : [];
  // The server's detail is English: shown beside the translation in English, and in other
  // languages only when there is no translation of the code.
  const translated = error instanceof ApiProblem && t(`errors:${error.code}`, { defaultValue: '' }) !== '';
  const detail =
    error instanceof ApiProblem && (i18n.language.startsWith('en') || !translated) ? error.detail : '';
  const text = problemText(t, error);
  return (
    <div role="alert" className="problem">
      <p>
        <strong lang={!translated && text === detail ? serverLang : undefined}>{text}</strong>
        {detail && detail !== text ? (
          <>
            {' — '}
            <span lang={serverLang}>{detail}</span>
          </>
        ) : null}
      </p>
      {items.length > 0 && (
        <ul>
          {items.map((item, i) => (
            <li key={i} lang={serverLang}>
              {item.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
