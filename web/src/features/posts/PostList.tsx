// The tenant's posts, newest first, filtered by status (and channel) through the address
// (`?status=`, `?channel=`), a page at a time.
import { useId } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { DateTime } from '../../components/DateTime';
import { Loading, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { excerpt } from '../../components/text';
import { useTimeZone } from '../../layout/tenant';
import { useChannels } from '../channels/hooks';

export const POST_STATUSES = [
  'draft',
  'in_review',
  'approved',
  'publishing',
  'published',
  'partially_published',
  'failed',
  'cancelled',
] as const;

export default function PostList() {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const zone = useTimeZone(slug);
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status') ?? '';
  const status = (POST_STATUSES as readonly string[]).includes(statusParam) ? statusParam : '';
  const channel = params.get('channel') ?? '';
  const channels = useChannels(slug);
  const channelName = new Map((channels.data?.items ?? []).map((c) => [c.id, c.name]));
  const statusId = useId();
  const channelId = useId();

  const posts = useInfiniteQuery({
    queryKey: ['tenant', slug, 'posts', 'list', { status, channel }],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/tenants/{tenant}/posts', {
          params: {
            path: { tenant: slug },
            query: {
              status: (status || undefined) as Schemas['PostStatus'] | undefined,
              channel: channel || undefined,
              cursor: pageParam || undefined,
            },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: slug !== '',
  });

  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next);
  };

  const items = posts.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = status !== '' || channel !== '';

  return (
    <Page
      title={t('posts:list.title')}
      actions={
        can.compose(role) ? (
          <Link className="button primary" to={`/t/${slug}/compose`}>
            {t('posts:list.new')}
          </Link>
        ) : null
      }
    >
      <div className="filters" role="search" aria-label={t('posts:list.filters')}>
        <div className="field">
          <label htmlFor={statusId}>{t('posts:list.status_filter')}</label>
          <select id={statusId} value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">{t('posts:list.all_statuses')}</option>
            {POST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`common:status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={channelId}>{t('posts:list.channel_filter')}</label>
          <select id={channelId} value={channel} onChange={(e) => setFilter('channel', e.target.value)}>
            <option value="">{t('posts:list.all_channels')}</option>
            {(channels.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
      </div>

      {posts.isPending ? <Loading /> : null}
      <ProblemMessage error={posts.error} />
      {posts.isSuccess ? (
        <p role="status" className="result-count">
          {items.length === 0
            ? filtered
              ? t('posts:list.none_filtered')
              : t('posts:list.none')
            : t('posts:list.count', { count: items.length })}
        </p>
      ) : null}
      {items.length > 0 ? (
        <table className="post-table">
          <caption className="visually-hidden">{t('posts:list.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('posts:list.col_text')}</th>
              <th scope="col">{t('posts:list.col_status')}</th>
              <th scope="col">{t('posts:list.col_channels')}</th>
              <th scope="col">{t('posts:list.col_scheduled')}</th>
              <th scope="col">{t('posts:list.col_updated')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/t/${slug}/posts/${p.id}`}>{excerpt(p.body) || t('posts:list.no_text')}</Link>
                  {p.campaign ? (
                    <>
                      <br />
                      <span className="muted">{t('posts:list.campaign', { campaign: p.campaign })}</span>
                    </>
                  ) : null}
                </td>
                <td>
                  <StatusBadge status={p.status} />
                </td>
                <td>{p.channels.map((id) => channelName.get(id) ?? t('posts:detail.unknown_channel')).join(', ')}</td>
                <td>
                  {p.scheduled_at ? (
                    <DateTime value={p.scheduled_at} zone={zone} />
                  ) : (
                    t('posts:list.asap')
                  )}
                </td>
                <td>
                  <DateTime value={p.updated_at} zone={zone} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {posts.hasNextPage ? (
        <button type="button" onClick={() => void posts.fetchNextPage()} disabled={posts.isFetchingNextPage}>
          {posts.isFetchingNextPage ? t('common:loading') : t('common:pagination.more')}
        </button>
      ) : null}
    </Page>
  );
}
