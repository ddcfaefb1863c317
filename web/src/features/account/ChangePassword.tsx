// The "Password" section of the account page. A change ends every session on the server, so
// afterwards the person is signed out and asked to sign in with the new password.
import { useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { meKey, useSession, useSignOut } from '../../auth/session';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import {
  MAX_PASSWORD_CHARS,
  MIN_CHARS_WITH_MFA,
  MIN_CHARS_WITHOUT_MFA,
  newPasswordField,
  repeatField,
  sameAsNew,
} from '../signin/passwordPolicy';

function schemaFor(min: number) {
  return z
    .object({
      current: z.string().min(1, 'account:password.current_required'),
      password: newPasswordField(min),
      repeat: repeatField,
    })
    .refine(...sameAsNew);
}

type Values = z.infer<ReturnType<typeof schemaFor>>;

export function ChangePassword() {
  const { t } = useTranslation();
  const { me } = useSession();
  const signOut = useSignOut();
  const client = useQueryClient();
  const navigate = useNavigate();
  const [problem, setProblem] = useState<unknown>(null);
  const mfa = me?.mfa_enabled ?? false;
  const min = mfa ? MIN_CHARS_WITH_MFA : MIN_CHARS_WITHOUT_MFA;
  const schema = useMemo(() => schemaFor(min), [min]);
  const form = useForm<Values>({
    resolver: zodResolver(schema),
    defaultValues: { current: '', password: '', repeat: '' },
  });
  const { errors, isSubmitting, submitCount } = form.formState;
  const rules = { min, min_mfa: MIN_CHARS_WITH_MFA, max: MAX_PASSWORD_CHARS };
  const message = (key?: string) => (key ? t(key, rules) : undefined);

  const submit = form.handleSubmit(async ({ current, password }) => {
    setProblem(null);
    try {
      await call(
        api.PUT('/api/v1/me/password', {
          body: { current_password: current, new_password: password },
        }),
      );
    } catch (e) {
      setProblem(e);
      return;
    }
    // The server has ended every session; show the person as signed out at once (the query's
    // observers are told before the cache is cleared) and send them to sign in again.
    client.setQueryData(meKey, null);
    await signOut();
    navigate(`/sign-in?next=${encodeURIComponent('/account')}`, {
      replace: true,
      state: { notice: 'password_changed' },
    });
  });

  return (
    <section className="account-section" aria-labelledby="password-heading">
      <h2 id="password-heading">{t('account:password.heading')}</h2>
      <p>{t('account:password.intro')}</p>
      <form onSubmit={submit} noValidate>
        <ErrorSummary items={errorItems(errors, message)} attempt={submitCount} />
        <ProblemMessage error={problem} />
        <Field label={t('account:password.current')} error={message(errors.current?.message)}>
          <input type="password" autoComplete="current-password" {...form.register('current')} />
        </Field>
        <Field
          label={t('account:password.new')}
          hint={
            mfa
              ? t('signin:password_rules.hint_with_mfa', rules)
              : t('signin:password_rules.hint_without_mfa', rules)
          }
          error={message(errors.password?.message)}
        >
          <input type="password" autoComplete="new-password" {...form.register('password')} />
        </Field>
        <Field label={t('account:password.repeat')} error={message(errors.repeat?.message)}>
          <input type="password" autoComplete="new-password" {...form.register('repeat')} />
        </Field>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting}>
            {isSubmitting ? t('account:password.submitting') : t('account:password.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
