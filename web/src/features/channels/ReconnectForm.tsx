// Reconnect a channel whose credentials stopped working: new credentials (`PUT …/credentials`)
// or, for a network with OAuth, its sign-in page again. The channel's waiting posts then go out.
import { useForm } from 'react-hook-form';
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
import type { NetworkSpec } from './networks';
import { CredentialFields, credentialsBody, useErrorText } from './fields';
import { startOauth } from './oauth';

type Values = {
  credentials?: Record<string, string>;
  credentialKey?: string;
  credentialValue?: string;
};

function schemaFor(network: NetworkSpec | undefined) {
  return z
    .object({
      credentials: z.record(z.string(), z.string()).optional(),
      credentialKey: z.string().optional(),
      credentialValue: z.string().optional(),
    })
    .superRefine((v, ctx) => {
      if (network) {
        for (const key of network.credentials) {
          if (!(v.credentials?.[key] ?? '').trim()) {
            ctx.addIssue({ code: 'custom', message: 'required', path: ['credentials', key] });
          }
        }
      } else {
        if (!(v.credentialKey ?? '').trim()) {
          ctx.addIssue({ code: 'custom', message: 'required', path: ['credentialKey'] });
        }
        if (!(v.credentialValue ?? '').trim()) {
          ctx.addIssue({ code: 'custom', message: 'required', path: ['credentialValue'] });
        }
      }
    });
}

export function ReconnectForm({
  slug,
  channel,
  network,
  networkLabel,
  onDone,
}: {
  slug: string;
  channel: Schemas['ChannelView'];
  /** The network's fields: the table's or its plugin's manifest; undefined when not known. */
  network: NetworkSpec | undefined;
  networkLabel: string;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const errorText = useErrorText();
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting, submitCount },
  } = useForm<Values>({
    defaultValues: { credentials: {}, credentialKey: '', credentialValue: '' },
    resolver: zodResolver(schemaFor(network)),
  });

  const save = useMutation({
    mutationFn: (v: Values) => {
      const credentials = network
        ? (credentialsBody(network, v.credentials) ?? {})
        : { [(v.credentialKey ?? '').trim()]: (v.credentialValue ?? '').trim() };
      return call(
        api.PUT('/api/v1/tenants/{tenant}/channels/{id}/credentials', {
          params: { path: { tenant: slug, id: channel.id } },
          // The API document types free-form JSON objects as empty records, hence the cast.
          body: { credentials } as unknown as Schemas['ChannelCredentialsRequest'],
        }),
      );
    },
    onSuccess: async (updated) => {
      await client.invalidateQueries({ queryKey: channelsKey(slug) });
      announce(t('channels:reconnect.done', { name: updated.name }));
      onDone();
    },
  });

  const oauth = useMutation({
    mutationFn: () => startOauth(slug, channel.id),
    onMutate: () => announce(t('channels:connect.redirecting', { network: networkLabel })),
  });

  const headingId = `reconnect-${channel.id}`;
  const withCredentials = !network || network.credentials.length > 0;
  return (
    <div className="channel-reconnect" role="group" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('channels:reconnect.title', { name: channel.name })}</h3>
      {network?.oauth ? (
        <div className="form-actions">
          <button
            type="button"
            className="primary"
            disabled={oauth.isPending}
            onClick={() => oauth.mutate()}
          >
            {t('channels:reconnect.oauth', { network: networkLabel })}
          </button>
          <ProblemMessage error={oauth.error} />
        </div>
      ) : null}
      {withCredentials ? (
        <form noValidate onSubmit={handleSubmit((v) => save.mutateAsync(v).catch(() => undefined))}>
          <ErrorSummary items={errorItems(errors, errorText)} attempt={submitCount} />
          {network ? (
            <CredentialFields network={network} register={register} errors={errors} />
          ) : (
            <>
              <Field
                label={t('channels:connect.credential_key')}
                hint={t('channels:connect.credential_key_hint')}
                error={errorText(errors.credentialKey?.message)}
              >
                <input type="text" autoComplete="off" spellCheck={false} {...register('credentialKey')} />
              </Field>
              <Field
                label={t('channels:connect.credential_value')}
                error={errorText(errors.credentialValue?.message)}
              >
                <input type="password" autoComplete="off" {...register('credentialValue')} />
              </Field>
            </>
          )}
          <ProblemMessage error={save.error} />
          <div className="form-actions">
            <button type="submit" className="primary" disabled={isSubmitting}>
              {t('channels:reconnect.submit')}
            </button>
            <button type="button" onClick={onDone}>
              {t('common:cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
