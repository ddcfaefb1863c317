// The inputs of one network's settings and credentials, shared by the connect and reconnect
// forms, and the conversion of what was typed into the JSON the server takes.
import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field';
import type { NetworkSpec, SettingSpec } from './networks';

type WithSecrets = {
  settings?: Record<string, string>;
  credentials?: Record<string, string>;
};

function errorOf(errors: FieldErrors<WithSecrets>, group: 'settings' | 'credentials', key: string) {
  const bag = errors[group] as Record<string, { message?: string } | undefined> | undefined;
  return bag?.[key]?.message;
}

/** Translates a validation key of this feature (`required`, `url`…) into a sentence. */
export function useErrorText() {
  const { t } = useTranslation();
  return (message: string | undefined) => (message ? t(`channels:errors.${message}`) : undefined);
}

export function SettingFields({
  network,
  register,
  errors,
}: {
  network: NetworkSpec;
  register: UseFormRegister<WithSecrets>;
  errors: FieldErrors<WithSecrets>;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  if (network.settings.length === 0) return null;
  return (
    <fieldset>
      <legend>{t('channels:connect.settings')}</legend>
      {network.settings.map((s) => (
        <Field
          key={s.key}
          label={
            <>
              {t(`channels:networks.${network.id}.settings.${s.key}.label`)}
              {s.required ? null : <> {t('channels:optional')}</>}
            </>
          }
          hint={t(`channels:networks.${network.id}.settings.${s.key}.hint`)}
          error={errorText(errorOf(errors, 'settings', s.key))}
        >
          <input
            type={s.kind === 'url' ? 'url' : 'text'}
            inputMode={s.kind === 'integer' ? 'numeric' : undefined}
            autoComplete="off"
            spellCheck={false}
            aria-required={s.required || undefined}
            {...register(`settings.${s.key}`)}
          />
        </Field>
      ))}
    </fieldset>
  );
}

export function CredentialFields({
  network,
  register,
  errors,
}: {
  network: NetworkSpec;
  register: UseFormRegister<WithSecrets>;
  errors: FieldErrors<WithSecrets>;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  if (network.credentials.length === 0) return null;
  return (
    <fieldset>
      <legend>{t('channels:connect.credentials')}</legend>
      <p className="hint">{t('channels:connect.credentials_hint')}</p>
      {network.credentials.map((key) => (
        <Field
          key={key}
          label={t(`channels:networks.${network.id}.credentials.${key}.label`)}
          hint={t(`channels:networks.${network.id}.credentials.${key}.hint`)}
          error={errorText(errorOf(errors, 'credentials', key))}
        >
          <input
            type="password"
            autoComplete="off"
            spellCheck={false}
            aria-required
            {...register(`credentials.${key}`)}
          />
        </Field>
      ))}
    </fieldset>
  );
}

/** Whether `value` is a whole http(s) URL with a host, as the server checks it. */
export function isWebUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** The problem of one setting's value, as a key of `channels:errors`, or none. */
export function settingProblem(spec: SettingSpec, raw: string | undefined): string | undefined {
  const value = (raw ?? '').trim();
  if (value === '') return spec.required ? 'required' : undefined;
  if (spec.kind === 'url' && !isWebUrl(value)) return 'url';
  if (spec.kind === 'integer' && !/^[0-9]+$/.test(value)) return 'integer';
  return undefined;
}

/** The settings object to send: empty fields left out (the server's default applies). */
export function settingsBody(
  network: NetworkSpec,
  values: Record<string, string> | undefined,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const spec of network.settings) {
    const value = (values?.[spec.key] ?? '').trim();
    if (value === '') continue;
    out[spec.key] = spec.kind === 'integer' ? Number(value) : value;
  }
  return out;
}

/** The credentials object to send, or undefined when none was typed. */
export function credentialsBody(
  network: NetworkSpec,
  values: Record<string, string> | undefined,
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const key of network.credentials) {
    const value = (values?.[key] ?? '').trim();
    if (value !== '') out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
