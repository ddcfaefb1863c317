// The inputs of one network's settings and credentials, shared by the connect and reconnect
// forms, and the conversion of what was typed into the JSON the server takes.
import type { ReactNode } from 'react';
import type { FieldErrors, UseFormRegister } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/Field';
import type { NetworkSpec, SettingSpec } from './networks';

/** What a setting's control holds: text, or a checkbox's state. */
export type SettingValue = string | boolean;

export type WithSecrets = {
  settings?: Record<string, SettingValue>;
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

/**
 * A label from a plugin's manifest: English whatever the language of the screen, so it is
 * marked as such for screen readers when the screen is not in English.
 */
function useManifestText() {
  const { i18n } = useTranslation();
  const english = (i18n.resolvedLanguage ?? i18n.language ?? 'en').startsWith('en');
  return (text: string): ReactNode => (english ? text : <span lang="en">{text}</span>);
}

/** A yes/no setting: a checkbox with its label beside it (it always has a value). */
function CheckboxField({ label, children }: { label: ReactNode; children: ReactNode }) {
  return (
    <div className="field">
      <label className="checkbox">
        {children}
        {label}
      </label>
    </div>
  );
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
  const manifestText = useManifestText();
  if (network.settings.length === 0) return null;
  // The table's networks have translated labels and hints; a plugin's come from its manifest.
  const labelOf = (s: SettingSpec) =>
    s.label !== undefined
      ? manifestText(s.label)
      : t(`channels:networks.${network.id}.settings.${s.key}.label`);
  const hintOf = (s: SettingSpec) =>
    s.label !== undefined
      ? s.default !== undefined
        ? t('channels:connect.setting_default', { value: s.default })
        : undefined
      : t(`channels:networks.${network.id}.settings.${s.key}.hint`);
  return (
    <fieldset>
      <legend>{t('channels:connect.settings')}</legend>
      {network.settings.map((s) =>
        s.kind === 'boolean' ? (
          <CheckboxField key={s.key} label={labelOf(s)}>
            <input type="checkbox" {...register(`settings.${s.key}`)} />
          </CheckboxField>
        ) : (
          <Field
            key={s.key}
            label={
              <>
                {labelOf(s)}
                {s.required ? null : <> {t('channels:optional')}</>}
              </>
            }
            hint={hintOf(s)}
            error={errorText(errorOf(errors, 'settings', s.key))}
          >
            <input
              type={s.kind === 'url' ? 'url' : s.kind === 'integer' ? 'number' : 'text'}
              inputMode={s.kind === 'integer' ? 'numeric' : undefined}
              step={s.kind === 'integer' ? 1 : undefined}
              autoComplete="off"
              spellCheck={false}
              aria-required={s.required || undefined}
              {...register(`settings.${s.key}`)}
            />
          </Field>
        ),
      )}
    </fieldset>
  );
}

/** The kinds of sign-in a plugin's credential field has a name for. */
const authKinds = ['token', 'oauth2', 'hmac', 'session'];

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
      {network.credentials.map((key) => {
        // A plugin's credential is named by how it signs in, with the key its manifest reads.
        const kind = network.manifestAuth;
        const base = kind
          ? `channels:connect.plugin_credential.${authKinds.includes(kind) ? kind : 'other'}`
          : `channels:networks.${network.id}.credentials.${key}`;
        return (
          <Field
            key={key}
            label={t(`${base}.label`, { key })}
            hint={t(`${base}.hint`, { key })}
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
        );
      })}
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
export function settingProblem(spec: SettingSpec, raw: SettingValue | undefined): string | undefined {
  // A checkbox always has a value, sent as true or false.
  if (spec.kind === 'boolean') return undefined;
  const value = String(raw ?? '').trim();
  if (value === '') return spec.required ? 'required' : undefined;
  if (spec.kind === 'url' && !isWebUrl(value)) return 'url';
  if (spec.kind === 'integer' && !/^-?[0-9]+$/.test(value)) return 'integer';
  return undefined;
}

/** What a network's settings hold to begin with: the manifest's defaults, checkboxes set. */
export function settingDefaults(network: NetworkSpec | undefined): Record<string, SettingValue> {
  const out: Record<string, SettingValue> = {};
  for (const spec of network?.settings ?? []) {
    if (spec.kind === 'boolean') out[spec.key] = spec.default?.trim().toLowerCase() === 'true';
    else if (spec.default !== undefined) out[spec.key] = spec.default;
  }
  return out;
}

/**
 * The settings object to send: empty fields left out (the server's default applies), a
 * checkbox's setting always sent as true or false.
 */
export function settingsBody(
  network: NetworkSpec,
  values: Record<string, SettingValue> | undefined,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const spec of network.settings) {
    const raw = values?.[spec.key];
    if (spec.kind === 'boolean') {
      out[spec.key] = raw === true || raw === 'true';
      continue;
    }
    const value = String(raw ?? '').trim();
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
