// The tenant's channels: everyone sees which accounts posts go to, whether they work and when
// Heraut last read them (and why that failed); those who write posts ask for a reading now;
// owners connect new ones, reconnect those whose credentials stopped working, and disconnect
// them.
import { Fragment, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DateTime } from '../../components/DateTime';
import { useFocusAfterRender } from '../../components/focus';
import { Loading, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { useAnnounce } from '../../layout/live';
import { useTimeZone } from '../../layout/tenant';
import { usePlugins } from '../admin/plugins';
import { ConnectForm } from './ConnectForm';
import { channelsKey, useChannels } from './hooks';
import { ReconnectForm } from './ReconnectForm';
import { availableNetworks, feedPath, networkFor, networkName } from './networks';

type Channel = Schemas['ChannelView'];

function ChannelStatus({ status }: { status: string }) {
  const { t } = useTranslation();
  if (status === 'disconnected') {
    return (
      <span className="badge badge-disabled">
        <span aria-hidden="true">⊘ </span>
        {t('channels:status.disconnected')}
      </span>
    );
  }
  return <StatusBadge status={status} />;
}

export default function Channels() {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const zone = useTimeZone(slug);
  const announce = useAnnounce();
  const client = useQueryClient();
  const manage = can.manage(role);
  const [reconnecting, setReconnecting] = useState<string | null>(null);
  const [disconnecting, setDisconnecting] = useState<Channel | null>(null);
  const focusAfter = useFocusAfterRender();

  const channels = useChannels(slug);
  const plugins = usePlugins();
  const networks = availableNetworks(plugins.isError ? undefined : plugins.data?.items);

  const labelOf = (pluginId: string) =>
    networkName(t, pluginId, plugins.data?.items.find((p) => p.id === pluginId)?.name);

  const disconnect = useMutation({
    mutationFn: (channel: Channel) =>
      call(
        api.DELETE('/api/v1/tenants/{tenant}/channels/{id}', {
          params: { path: { tenant: slug, id: channel.id } },
        }),
      ),
    onSuccess: async (_, channel) => {
      await client.invalidateQueries({ queryKey: channelsKey(slug) });
      announce(t('channels:disconnect.done', { name: channel.name }));
    },
  });

  const read = useMutation({
    mutationFn: (channel: Channel) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/channels/{id}/sync', {
          params: { path: { tenant: slug, id: channel.id } },
        }),
      ),
    onSuccess: (_, channel) => {
      announce(t('channels:read.done', { name: channel.name }));
    },
  });

  const items = channels.data?.items ?? [];
  const columns = manage ? 7 : 6;

  return (
    <Page title={t('channels:title')}>
      <p>{t('channels:intro')}</p>
      <section aria-labelledby="channels-heading">
        <h2 id="channels-heading" tabIndex={-1}>
          {t('channels:list_title')}
        </h2>
        {channels.isPending ? <Loading /> : null}
        <ProblemMessage error={channels.error} />
        {channels.isSuccess && items.length === 0 ? <p>{t('channels:empty')}</p> : null}
        {items.length > 0 ? (
          <table aria-labelledby="channels-heading">
            <thead>
              <tr>
                <th scope="col">{t('channels:table.name')}</th>
                <th scope="col">{t('channels:table.network')}</th>
                <th scope="col">{t('channels:table.status')}</th>
                <th scope="col">{t('channels:table.credentials')}</th>
                <th scope="col">{t('channels:table.created')}</th>
                <th scope="col">{t('channels:table.read')}</th>
                {manage ? <th scope="col">{t('channels:table.actions')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
                const spec = networkFor(c.plugin, plugins.data?.items);
                const live = c.status !== 'disconnected';
                const reconnectable =
                  live &&
                  c.status === 'needs_reconnect' &&
                  (!spec || spec.oauth || spec.credentials.length > 0);
                const open = reconnecting === c.id;
                return (
                  <Fragment key={c.id}>
                    <tr>
                      <th scope="row">
                        {c.name}
                        {c.plugin === 'feed' && live ? (
                          <p className="channel-feed">
                            {t('channels:feed_address')}{' '}
                            <a href={feedPath(c.id)}>{`${window.location.origin}${feedPath(c.id)}`}</a>
                          </p>
                        ) : null}
                      </th>
                      <td>{labelOf(c.plugin)}</td>
                      <td>
                        <ChannelStatus status={c.status} />
                      </td>
                      <td>{c.has_credentials ? t('channels:stored') : t('channels:not_stored')}</td>
                      <td>
                        <DateTime value={c.created_at} zone={zone} />
                      </td>
                      <td>
                        {c.synced_at ? <DateTime value={c.synced_at} zone={zone} /> : null}
                        {!c.synced_at && c.reads_network ? t('channels:read.never') : null}
                        {!c.synced_at && !c.reads_network ? t('channels:read.not_reading') : null}
                        {c.sync_error ? (
                          <p className="channel-sync-error">
                            {t('channels:read.error', { error: c.sync_error })}
                          </p>
                        ) : null}
                        {can.compose(role) && c.status === 'active' && c.reads_network ? (
                          <p>
                            <button
                              type="button"
                              disabled={read.isPending && read.variables?.id === c.id}
                              onClick={() => read.mutate(c)}
                            >
                              {t('channels:read.button')}
                              <span className="visually-hidden"> {c.name}</span>
                            </button>
                          </p>
                        ) : null}
                      </td>
                      {manage ? (
                        <td>
                          <div className="row-actions">
                            {reconnectable ? (
                              <button
                                type="button"
                                id={`reconnect-button-${c.id}`}
                                aria-expanded={open}
                                aria-controls={open ? `reconnect-panel-${c.id}` : undefined}
                                onClick={() => setReconnecting(open ? null : c.id)}
                              >
                                {t('channels:reconnect.button')}
                                <span className="visually-hidden"> {c.name}</span>
                              </button>
                            ) : null}
                            {live ? (
                              <button
                                type="button"
                                id={`disconnect-button-${c.id}`}
                                onClick={() => setDisconnecting(c)}
                              >
                                {t('channels:disconnect.button')}
                                <span className="visually-hidden"> {c.name}</span>
                              </button>
                            ) : null}
                          </div>
                        </td>
                      ) : null}
                    </tr>
                    {manage && open ? (
                      <tr id={`reconnect-panel-${c.id}`}>
                        <td colSpan={columns}>
                          <ReconnectForm
                            slug={slug}
                            channel={c}
                            network={spec}
                            networkLabel={labelOf(c.plugin)}
                            onDone={() => {
                              setReconnecting(null);
                              // Back to the Reconnect button; once reconnected it is gone, and
                              // the row's Disconnect button takes its place.
                              focusAfter(
                                `reconnect-button-${c.id}`,
                                `disconnect-button-${c.id}`,
                                'channels-heading',
                              );
                            }}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        ) : null}
        <ProblemMessage error={disconnect.error} />
        <ProblemMessage error={read.error} />
      </section>
      {manage ? <ConnectForm slug={slug} networks={networks} /> : null}
      <ConfirmDialog
        open={disconnecting !== null}
        title={t('channels:disconnect.title', { name: disconnecting?.name ?? '' })}
        confirmLabel={t('channels:disconnect.confirm')}
        danger
        onCancel={() => setDisconnecting(null)}
        onConfirm={() => {
          // The row's buttons go with the connection: focus goes to the list's heading.
          if (disconnecting) {
            disconnect.mutate(disconnecting, { onSuccess: () => focusAfter('channels-heading') });
          }
          setDisconnecting(null);
        }}
      >
        <p>{t('channels:disconnect.text')}</p>
      </ConfirmDialog>
    </Page>
  );
}
