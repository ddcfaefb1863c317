// "Connect a channel" (owners): choose a network, fill in its settings and credentials, and
// either send the credentials along or go through the network's own sign-in page (OAuth).
import { useEffect, useRef } from 'react';
import { useForm, type FieldErrors, type UseFormRegister } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useAnnounce } from '../../layout/live';
import { channelsKey } from './hooks';
import { networkName, type Network } from './networks';
import {
  CredentialFields,
  SettingFields,
  credentialsBody,
  settingDefaults,
  settingProblem,
  settingsBody,
  useErrorText,
  type WithSecrets,
} from './fields';
import { startOauth } from './oauth';

const base = z.object({
  plugin: z.string().min(1, 'network'),
  name: z.string().trim().min(1, 'required').max(200, 'name_long'),
  method: z.enum(['oauth', 'token']),
  settings: z.record(z.string(), z.union([z.string(), z.boolean()])).optional(),
  credentials: z.record(z.string(), z.string()).optional(),
});

type Values = z.input<typeof base>;

/** The form's rules, which depend on the network chosen. */
function schemaFor(networks: Network[]) {
  return base.superRefine((v, ctx) => {
    const network = networks.find((n) => n.id === v.plugin);
    if (!network) return;
    for (const spec of network.settings) {
      const problem = settingProblem(spec, v.settings?.[spec.key]);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['settings', spec.key] });
    }
    if (!(network.oauth && v.method === 'oauth')) {
      for (const key of network.credentials) {
        if (!(v.credentials?.[key] ?? '').trim()) {
          ctx.addIssue({ code: 'custom', message: 'required', path: ['credentials', key] });
        }
      }
    }
  });
}

const empty: Values = {
  plugin: '',
  name: '',
  method: 'oauth',
  settings: {},
  credentials: {},
};

export function ConnectForm({ slug, networks }: { slug: string; networks: Network[] }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const errorText = useErrorText();
  const networksRef = useRef(networks);
  networksRef.current = networks;
  const form = useForm<Values>({
    defaultValues: empty,
    resolver: (values, context, options) =>
      zodResolver(schemaFor(networksRef.current))(values, context, options),
  });
  const {
    register,
    handleSubmit,
    watch,
    reset,
    setValue,
    formState: { errors, isSubmitting, submitCount },
  } = form;
  const plugin = watch('plugin');
  const method = watch('method');
  const network = networks.find((n) => n.id === plugin);
  const viaOauth = !!network?.oauth && method === 'oauth';

  // Choosing a network starts its settings afresh, with the defaults its manifest declares.
  useEffect(() => {
    setValue('settings', settingDefaults(networksRef.current.find((n) => n.id === plugin)));
  }, [plugin, setValue]);

  const oauth = useMutation({
    mutationFn: ({ channelId }: { channelId: string; network: string }) => startOauth(slug, channelId),
    onMutate: ({ network }) => announce(t('channels:connect.redirecting', { network })),
  });

  const connect = useMutation({
    mutationFn: async (v: Values) => {
      const chosen = networksRef.current.find((n) => n.id === v.plugin);
      if (!chosen) throw new Error('no network');
      const settings = settingsBody(chosen, v.settings);
      const credentials =
        chosen.oauth && v.method === 'oauth' ? undefined : credentialsBody(chosen, v.credentials);
      const channel = await call(
        api.POST('/api/v1/tenants/{tenant}/channels', {
          params: { path: { tenant: slug } },
          // The API document types free-form JSON objects as empty records, hence the cast.
          body: {
            plugin: chosen.id,
            name: v.name.trim(),
            settings,
            ...(credentials ? { credentials } : {}),
          } as unknown as Schemas['CreateChannelRequest'],
        }),
      );
      return { channel, chosen, viaOauth: chosen.oauth && v.method === 'oauth' };
    },
    onSuccess: async ({ channel, chosen, viaOauth: oauthChosen }) => {
      // The form is emptied once the channel exists, so a second try cannot add it twice; a
      // failed OAuth start is tried again with "Reconnect" in the table.
      reset(empty);
      await client.invalidateQueries({ queryKey: channelsKey(slug) });
      if (oauthChosen) {
        oauth.mutate({ channelId: channel.id, network: networkName(t, chosen.id, chosen.name) });
      } else {
        announce(t('channels:connect.done', { name: channel.name }));
      }
    },
  });

  // The register of this form also serves the shared field components, whose values are the
  // `settings` and `credentials` groups of it.
  const fieldRegister = register as unknown as UseFormRegister<WithSecrets>;
  const fieldErrors = errors as FieldErrors<WithSecrets>;
  const takesNothing =
    !!network && network.settings.length === 0 && network.credentials.length === 0 && !network.oauth;

  return (
    <section aria-labelledby="connect-heading">
      <h2 id="connect-heading">{t('channels:connect.title')}</h2>
      <form noValidate onSubmit={handleSubmit((v) => connect.mutateAsync(v).catch(() => undefined))}>
        <ErrorSummary items={errorItems(errors, errorText)} attempt={submitCount} />
        <Field label={t('channels:connect.network')} error={errorText(errors.plugin?.message)}>
          <select aria-required {...register('plugin')}>
            <option value="">{t('channels:connect.choose_network')}</option>
            {networks.map((n) => (
              <option key={n.id} value={n.id}>
                {networkName(t, n.id, n.name)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          label={t('channels:connect.name')}
          hint={t('channels:connect.name_hint')}
          error={errorText(errors.name?.message)}
        >
          <input type="text" autoComplete="off" aria-required {...register('name')} />
        </Field>
        {network ? (
          <>
            {network.oauth ? (
              <fieldset>
                <legend>{t('channels:connect.method')}</legend>
                <label className="checkbox">
                  <input type="radio" value="oauth" {...register('method')} />
                  {t('channels:connect.method_oauth', { network: networkName(t, network.id, network.name) })}
                </label>
                <label className="checkbox">
                  <input type="radio" value="token" {...register('method')} />
                  {t('channels:connect.method_token')}
                </label>
              </fieldset>
            ) : null}
            {takesNothing ? <p className="hint">{t('channels:connect.nothing_needed')}</p> : null}
            <SettingFields network={network} register={fieldRegister} errors={fieldErrors} />
            {viaOauth ? (
              <p className="hint">
                {t('channels:connect.oauth_hint', { network: networkName(t, network.id, network.name) })}
              </p>
            ) : (
              <CredentialFields network={network} register={fieldRegister} errors={fieldErrors} />
            )}
          </>
        ) : null}
        <ProblemMessage error={connect.error} />
        {oauth.error ? (
          <>
            <ProblemMessage error={oauth.error} />
            <p>{t('channels:connect.oauth_failed_saved')}</p>
          </>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting || oauth.isPending}>
            {network && viaOauth
              ? t('channels:connect.submit_oauth', { network: networkName(t, network.id, network.name) })
              : t('channels:connect.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
