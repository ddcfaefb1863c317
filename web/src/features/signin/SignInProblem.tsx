// A sign-in problem: the translated message, and for a throttled attempt how long to wait, in
// the person's language (the server's own detail is English).
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../../api/client';
import { ProblemMessage } from '../../api/problem';

export function SignInProblem({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const wait = error instanceof ApiProblem ? error.retryAfter : undefined;
  return (
    <>
      <ProblemMessage error={error} />
      {wait ? (
        <p className="retry-after" role="status">
          {wait > 90
            ? t('signin:retry_after_minutes', { count: Math.ceil(wait / 60) })
            : t('signin:retry_after_seconds', { count: wait })}
        </p>
      ) : null}
    </>
  );
}
