// The "Two-factor sign-in" section of the account page: its state, and enrolment with an
// authenticator app (QR code or key typed by hand, a code to confirm, then the recovery codes).
// It needs only `/api/v1/me/*`, so it works while an organisation refuses everything else with
// 403 auth.mfa_enrolment_required.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { QRCodeSVG } from 'qrcode.react';
import { api, ApiProblem, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { useSession } from '../../auth/session';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useAnnounce } from '../../layout/live';
import { RecoveryCodes } from './RecoveryCodes';

type Enrolment = Schemas['TotpEnrolmentResponse'];

type Stage =
  | { kind: 'idle' }
  | { kind: 'enrol'; enrolment: Enrolment }
  | { kind: 'codes'; codes: string[] };

/** `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`, easier to read and type. */
export function groupInFours(secret: string): string {
  return (secret.replace(/\s+/g, '').match(/.{1,4}/g) ?? []).join(' ');
}

const codeSchema = z.object({
  code: z
    .string()
    .transform((v) => v.replace(/\s+/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'account:mfa.code_format')),
});

function Enrol({
  enrolment,
  onConfirmed,
  onCancel,
}: {
  enrolment: Enrolment;
  onConfirmed: (codes: string[]) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const heading = useRef<HTMLHeadingElement>(null);
  const [problem, setProblem] = useState<unknown>(null);
  const form = useForm<z.input<typeof codeSchema>, unknown, z.output<typeof codeSchema>>({
    resolver: zodResolver(codeSchema),
    defaultValues: { code: '' },
  });
  const { errors, isSubmitting, submitCount } = form.formState;
  useEffect(() => {
    heading.current?.focus();
  }, []);

  const submit = form.handleSubmit(async ({ code }) => {
    setProblem(null);
    try {
      const answer = await call(api.POST('/api/v1/me/mfa/totp/confirm', { body: { code } }));
      onConfirmed(answer.recovery_codes);
    } catch (e) {
      setProblem(e);
      form.resetField('code');
      form.setFocus('code');
    }
  });

  const copySecret = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(enrolment.secret);
      announce(t('account:mfa.secret_copied'));
    } catch {
      announce(t('account:mfa.secret_copy_failed'));
    }
  };

  return (
    <div className="mfa-enrol">
      <h3 ref={heading} tabIndex={-1}>
        {t('account:mfa.steps_heading')}
      </h3>
      <ol>
        <li>{t('account:mfa.step_app')}</li>
        <li>{t('account:mfa.step_scan')}</li>
        <li>{t('account:mfa.step_code')}</li>
      </ol>
      <div className="qr">
        <QRCodeSVG
          value={enrolment.otpauth_uri}
          size={208}
          marginSize={4}
          role="img"
          aria-label={t('account:mfa.qr_label')}
        />
      </div>
      <div className="mfa-secret">
        <dl>
          <dt>{t('account:mfa.secret')}</dt>
          <dd>
            <code className="secret">{groupInFours(enrolment.secret)}</code>
          </dd>
        </dl>
        <p className="hint">{t('account:mfa.secret_hint')}</p>
        <button type="button" onClick={() => void copySecret()}>
          {t('account:mfa.copy_secret')}
        </button>
      </div>
      <form onSubmit={submit} noValidate>
        <ErrorSummary items={errorItems(errors, (m) => t(m))} attempt={submitCount} />
        <ProblemMessage error={problem} />
        <Field
          label={t('account:mfa.code')}
          hint={t('account:mfa.code_hint')}
          error={errors.code?.message ? t(errors.code.message) : undefined}
        >
          <input
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={9}
            className="code-input"
            {...form.register('code')}
          />
        </Field>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting}>
            {isSubmitting ? t('account:mfa.confirming') : t('account:mfa.confirm')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('account:mfa.cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}

export function TwoFactor() {
  const { t } = useTranslation();
  const { me, reload } = useSession();
  const announce = useAnnounce();
  const heading = useRef<HTMLHeadingElement>(null);
  const [stage, setStage] = useState<Stage>({ kind: 'idle' });
  const [problem, setProblem] = useState<unknown>(null);
  const [starting, setStarting] = useState(false);

  const start = async () => {
    setProblem(null);
    setStarting(true);
    try {
      const enrolment = await call(api.POST('/api/v1/me/mfa/totp'));
      setStage({ kind: 'enrol', enrolment });
    } catch (e) {
      // Turned on meanwhile (another tab): show the current state instead of an error.
      if (e instanceof ApiProblem && e.code === 'auth.mfa_already_enabled') await reload();
      else setProblem(e);
    } finally {
      setStarting(false);
    }
  };

  const backToSection = () => {
    setStage({ kind: 'idle' });
    window.setTimeout(() => heading.current?.focus(), 0);
  };

  let body;
  if (stage.kind === 'codes') {
    // Shown even when the session already says 2FA is on: the codes are visible only now.
    body = (
      <RecoveryCodes
        codes={stage.codes}
        email={me?.email ?? ''}
        onDone={async () => {
          await reload();
          announce(t('account:mfa.finished'));
          backToSection();
        }}
      />
    );
  } else if (me?.mfa_enabled) {
    body = (
      <p className="notice">
        <span aria-hidden="true">✓ </span>
        {t('account:mfa.on')}
      </p>
    );
  } else if (stage.kind === 'enrol') {
    body = (
      <Enrol
        enrolment={stage.enrolment}
        onCancel={() => {
          announce(t('account:mfa.cancelled'));
          backToSection();
        }}
        onConfirmed={(codes) => {
          setStage({ kind: 'codes', codes });
          announce(t('account:mfa.enabled'));
        }}
      />
    );
  } else {
    body = (
      <>
        <p>{t('account:mfa.off')}</p>
        <p>{t('account:mfa.required_note')}</p>
        <ProblemMessage error={problem} />
        <button type="button" className="primary" onClick={() => void start()} disabled={starting}>
          {starting ? t('account:mfa.starting') : t('account:mfa.start')}
        </button>
      </>
    );
  }

  return (
    <section className="account-section" id="two-factor" aria-labelledby="two-factor-heading">
      <h2 id="two-factor-heading" ref={heading} tabIndex={-1}>
        {t('account:mfa.heading')}
      </h2>
      {body}
    </section>
  );
}
