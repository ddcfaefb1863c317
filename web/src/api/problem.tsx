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

/** An alert with what went wrong and, per channel or field, the details. */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t, i18n } = useTranslation();
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
        <strong>{text}</strong>
        {detail && detail !== text ? <> — {detail}</> : null}
      </p>
      {items.length > 0 && (
        <ul>
          {items.map((item, i) => (
            <li key={i}>{item.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
