// Signing in: e-mail and password, then, for an account with two-factor sign-in, the code from
// the authenticator app or a recovery code. The server sets the session cookies; this page only
// learns whether a second step is needed, then reloads who is signed in and goes to `next`.
import { useEffect, useMemo, useState } from 'react';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { api, ApiProblem, call } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Page';
import { useAnnounce } from '../../layout/live';
import { AuthFrame } from './AuthFrame';
import { safeNext } from './next';
import { SignInProblem } from './SignInProblem';

const credentialsSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'signin:errors.email_required')
    .regex(/^[^\s@]+@[^\s@]+$/, 'signin:errors.email_invalid'),
  password: z.string().min(1, 'signin:errors.password_required'),
});
type Credentials = z.infer<typeof credentialsSchema>;

/** What a person sees after a successful change elsewhere (e.g. a new password). */
type Notice = 'password_changed';

function PasswordStep({
  error,
  onMfa,
  onSignedIn,
}: {
  error: unknown;
  onMfa: (token: string) => void;
  onSignedIn: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<unknown>(error);
  const form = useForm<z.input<typeof credentialsSchema>, unknown, Credentials>({
    resolver: zodResolver(credentialsSchema),
    defaultValues: { email: '', password: '' },
  });
  const { errors, isSubmitting, submitCount } = form.formState;
  useEffect(() => {
    form.setFocus('email');
  }, [form]);

  const submit = form.handleSubmit(async (values) => {
    setProblem(null);
    try {
      const answer = await call(api.POST('/api/v1/auth/web/login', { body: values }));
      if (answer.mfa_required && answer.mfa_token) {
        onMfa(answer.mfa_token);
      } else {
        await onSignedIn();
      }
    } catch (e) {
      setProblem(e);
      form.resetField('password');
      form.setFocus('password');
    }
  });

  return (
    <form onSubmit={submit} noValidate aria-describedby="sign-in-intro">
      <p id="sign-in-intro">{t('signin:intro')}</p>
      <ErrorSummary items={errorItems(errors, (m) => t(m))} attempt={submitCount} />
      <SignInProblem error={problem} />
      <Field
        label={t('signin:email')}
        error={errors.email?.message ? t(errors.email.message) : undefined}
      >
        <input type="email" autoComplete="username" spellCheck={false} {...form.register('email')} />
      </Field>
      <Field
        label={t('signin:password')}
        error={errors.password?.message ? t(errors.password.message) : undefined}
      >
        <input type="password" autoComplete="current-password" {...form.register('password')} />
      </Field>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {isSubmitting ? t('signin:submitting') : t('signin:submit')}
        </button>
      </div>
      <p className="hint">{t('signin:forgot')}</p>
    </form>
  );
}

type CodeKind = 'totp' | 'recovery';

function codeSchema(kind: CodeKind) {
  return kind === 'totp'
    ? z.object({
        code: z
          .string()
          .transform((v) => v.replace(/\s+/g, ''))
          .pipe(z.string().regex(/^\d{6}$/, 'signin:mfa.errors.code_format')),
      })
    : z.object({ code: z.string().trim().min(1, 'signin:mfa.errors.recovery_required') });
}

function CodeForm({
  kind,
  mfaToken,
  onSwitch,
  onExpired,
  onSignedIn,
}: {
  kind: CodeKind;
  mfaToken: string;
  onSwitch: () => void;
  onExpired: (error: unknown) => void;
  onSignedIn: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [problem, setProblem] = useState<unknown>(null);
  const schema = useMemo(() => codeSchema(kind), [kind]);
  const form = useForm<{ code: string }, unknown, { code: string }>({
    resolver: zodResolver(schema),
    defaultValues: { code: '' },
  });
  const { errors, isSubmitting, submitCount } = form.formState;
  useEffect(() => {
    form.setFocus('code');
  }, [form]);

  const submit = form.handleSubmit(async ({ code }) => {
    setProblem(null);
    try {
      await call(api.POST('/api/v1/auth/web/mfa', { body: { mfa_token: mfaToken, code } }));
      await onSignedIn();
    } catch (e) {
      // The short-lived token of the first step has run out: start again from the password.
      if (e instanceof ApiProblem && e.code === 'auth.token_invalid') {
        onExpired(e);
        return;
      }
      setProblem(e);
      form.resetField('code');
      form.setFocus('code');
    }
  });

  const totp = kind === 'totp';
  const errorText = errors.code?.message ? t(errors.code.message) : undefined;
  return (
    <form onSubmit={submit} noValidate>
      <p>{totp ? t('signin:mfa.intro_totp') : t('signin:mfa.intro_recovery')}</p>
      <ErrorSummary items={errorItems(errors, (m) => t(m))} attempt={submitCount} />
      <SignInProblem error={problem} />
      {totp ? (
        <Field label={t('signin:mfa.code')} hint={t('signin:mfa.code_hint')} error={errorText}>
          <input
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={9}
            className="code-input"
            {...form.register('code')}
          />
        </Field>
      ) : (
        <Field
          label={t('signin:mfa.recovery_code')}
          hint={t('signin:mfa.recovery_hint')}
          error={errorText}
        >
          <input
            type="text"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            className="code-input"
            {...form.register('code')}
          />
        </Field>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {isSubmitting ? t('signin:submitting') : t('signin:mfa.submit')}
        </button>
        <button type="button" onClick={onSwitch}>
          {totp ? t('signin:mfa.use_recovery') : t('signin:mfa.use_totp')}
        </button>
      </div>
    </form>
  );
}

function MfaStep({
  mfaToken,
  onBack,
  onExpired,
  onSignedIn,
}: {
  mfaToken: string;
  onBack: () => void;
  onExpired: (error: unknown) => void;
  onSignedIn: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const [kind, setKind] = useState<CodeKind>('totp');
  return (
    <section aria-labelledby="mfa-heading">
      <h2 id="mfa-heading">{t('signin:mfa.heading')}</h2>
      <CodeForm
        key={kind}
        kind={kind}
        mfaToken={mfaToken}
        onExpired={onExpired}
        onSignedIn={onSignedIn}
        onSwitch={() => {
          const next = kind === 'totp' ? 'recovery' : 'totp';
          setKind(next);
          announce(next === 'recovery' ? t('signin:mfa.switched_recovery') : t('signin:mfa.switched_totp'));
        }}
      />
      <p className="hint">{t('signin:mfa.lost')}</p>
      <p>
        <button type="button" className="link-button" onClick={onBack}>
          {t('signin:mfa.back')}
        </button>
      </p>
    </section>
  );
}

export default function SignIn() {
  const { t } = useTranslation();
  const { me, loading, reload } = useSession();
  const [params] = useSearchParams();
  const location = useLocation();
  const navigate = useNavigate();
  const announce = useAnnounce();
  const next = safeNext(params.get('next'));
  const notice = (location.state as { notice?: Notice } | null)?.notice;
  const [step, setStep] = useState<{ kind: 'password'; error?: unknown } | { kind: 'mfa'; token: string }>({
    kind: 'password',
  });

  const signedIn = async () => {
    await reload();
    announce(t('signin:signed_in'));
    navigate(next, { replace: true });
  };

  if (me) return <Navigate to={next} replace />;

  return (
    <AuthFrame title={t('signin:title')}>
      {loading ? (
        <Loading />
      ) : step.kind === 'password' ? (
        <>
          {notice === 'password_changed' ? (
            <p className="notice" role="status">
              {t('signin:password_changed')}
            </p>
          ) : null}
          <PasswordStep
            error={step.error}
            onSignedIn={signedIn}
            onMfa={(token) => {
              setStep({ kind: 'mfa', token });
              announce(t('signin:mfa.announce'));
            }}
          />
        </>
      ) : (
        <MfaStep
          mfaToken={step.token}
          onSignedIn={signedIn}
          onBack={() => {
            setStep({ kind: 'password' });
            announce(t('signin:mfa.back_announce'));
          }}
          onExpired={(error) => {
            setStep({ kind: 'password', error });
            announce(t('signin:mfa.expired'));
          }}
        />
      )}
    </AuthFrame>
  );
}
