// Setting a password with the one-time token from an invitation or reset e-mail
// (`/set-password#token=…`; the fragment never reaches the server's logs, `?token=` also works). The token is spent only when the password is accepted, so a refused
// password can be corrected and sent again.
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import type { z } from 'zod';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useAnnounce } from '../../layout/live';
import { AuthFrame } from './AuthFrame';
import {
  MAX_PASSWORD_CHARS,
  MIN_CHARS_WITH_MFA,
  MIN_CHARS_WITHOUT_MFA,
  newPasswordSchema,
} from './passwordPolicy';

// Whether the account already has two-factor sign-in is unknown here, so the lower limit is
// checked in the browser and the server tells a person without it that 15 are needed.
const schema = newPasswordSchema(MIN_CHARS_WITH_MFA);
type Values = z.infer<typeof schema>;

function PasswordForm({ token, onDone }: { token: string; onDone: () => void }) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<unknown>(null);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { password: '', repeat: '' },
  });
  const { errors, isSubmitting, submitCount } = form.formState;
  useEffect(() => {
    form.setFocus('password');
  }, [form]);
  const rules = { min: MIN_CHARS_WITHOUT_MFA, min_mfa: MIN_CHARS_WITH_MFA, max: MAX_PASSWORD_CHARS };
  const message = (key?: string) =>
    key === 'signin:password_rules.too_short'
      ? t('signin:password_rules.too_short_unknown', rules)
      : key
        ? t(key, rules)
        : undefined;

  const submit = form.handleSubmit(async ({ password }) => {
    setProblem(null);
    try {
      await call(api.POST('/api/v1/auth/set-password', { body: { token, password } }));
      onDone();
    } catch (e) {
      setProblem(e);
      form.setFocus('password');
    }
  });

  return (
    <form onSubmit={submit} noValidate>
      <p>{t('signin:set_password.intro')}</p>
      <ErrorSummary items={errorItems(errors, message)} attempt={submitCount} />
      <ProblemMessage error={problem} />
      <Field
        label={t('signin:set_password.new')}
        hint={t('signin:password_rules.hint_unknown', rules)}
        error={message(errors.password?.message)}
      >
        <input type="password" autoComplete="new-password" {...form.register('password')} />
      </Field>
      <Field label={t('signin:set_password.repeat')} error={message(errors.repeat?.message)}>
        <input type="password" autoComplete="new-password" {...form.register('repeat')} />
      </Field>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {isSubmitting ? t('signin:set_password.submitting') : t('signin:set_password.submit')}
        </button>
      </div>
    </form>
  );
}

export default function SetPassword() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const [params] = useSearchParams();
  const { hash } = useLocation();
  // Read once, then taken out of the address bar and the history.
  const [token] = useState(() =>
    (new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? params.get('token') ?? '').trim(),
  );
  useEffect(() => {
    if (token) window.history.replaceState(window.history.state, '', '/set-password');
  }, [token]);
  const [done, setDone] = useState(false);

  return (
    <AuthFrame title={t('signin:set_password.title')}>
      {!token ? (
        <div className="problem" role="alert">
          <p>
            <strong>{t('signin:set_password.no_token')}</strong>
          </p>
          <p>{t('signin:set_password.no_token_help')}</p>
        </div>
      ) : done ? (
        <>
          <p className="notice">{t('signin:set_password.done')}</p>
          <p>
            <Link to="/sign-in" className="button primary">
              {t('signin:set_password.sign_in')}
            </Link>
          </p>
        </>
      ) : (
        <PasswordForm
          token={token}
          onDone={() => {
            setDone(true);
            announce(t('signin:set_password.done'));
          }}
        />
      )}
    </AuthFrame>
  );
}
