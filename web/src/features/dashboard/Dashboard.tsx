// The tenant's start page: what goes out next, what waits for my approval, what needs
// attention, the crisis state, my unread notifications and posts published per day.
import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useSession, useTenant } from '../../auth/session';
import { DateTime } from '../../components/DateTime';
import { useFocusAfterRender } from '../../components/focus';
import { Loading, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { excerpt } from '../../components/text';
import { useAnnounce } from '../../layout/live';
import { useCrisis, useTimeZone } from '../../layout/tenant';
import { useChannelName } from '../channels/hooks';
import { usePosts } from './lookups';
import { PublishedChart } from './PublishedChart';
import { needingAttention, nextScheduled, publishedPerDay, waitingFor } from './summary';

function ScheduledCard({ slug, zone, now }: { slug: string; zone: string; now: number }) {
  const { t } = useTranslation();
  const approved = usePosts(slug, { status: 'approved', limit: 200 });
  const next = nextScheduled(approved.data ?? [], now);
  return (
    <section className="card" aria-labelledby="next-heading">
      <h2 id="next-heading">{t('dashboard:next.heading')}</h2>
      {approved.isPending ? <Loading /> : null}
      <ProblemMessage error={approved.error} />
      {approved.isSuccess && next.length === 0 ? <p>{t('dashboard:next.empty')}</p> : null}
      {next.length > 0 ? (
        <ul className="card-list">
          {next.map((post) => (
            <li key={post.id}>
              <DateTime value={post.scheduled_at ?? ''} zone={zone} />
              <br />
              <Link to={`/t/${slug}/posts/${post.id}`}>{excerpt(post.body, 60)}</Link>
            </li>
          ))}
        </ul>
      ) : null}
      <p>
        <Link to={`/t/${slug}/calendar`}>{t('dashboard:next.calendar')}</Link>
      </p>
    </section>
  );
}

function WaitingCard({ slug, zone }: { slug: string; zone: string }) {
  const { t } = useTranslation();
  const { role } = useTenant();
  const { me } = useSession();
  const inReview = usePosts(slug, { status: 'in_review', limit: 200 });
  const mine = waitingFor(inReview.data ?? [], me?.id, role);
  return (
    <section className="card" aria-labelledby="waiting-heading">
      <h2 id="waiting-heading">{t('dashboard:waiting.heading')}</h2>
      {inReview.isPending ? <Loading /> : null}
      <ProblemMessage error={inReview.error} />
      {inReview.isSuccess && mine.length === 0 ? <p>{t('dashboard:waiting.empty')}</p> : null}
      {mine.length > 0 ? (
        <ul className="card-list">
          {mine.slice(0, 5).map((post) => (
            <li key={post.id}>
              <Link to={`/t/${slug}/approvals?post=${encodeURIComponent(post.id)}`}>{excerpt(post.body, 60)}</Link>
              <br />
              {post.scheduled_at ? (
                <>
                  {t('dashboard:waiting.goes_out')} <DateTime value={post.scheduled_at} zone={zone} />
                </>
              ) : (
                t('dashboard:waiting.when_approved')
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {mine.length > 5 ? <p>{t('dashboard:waiting.more', { count: mine.length - 5 })}</p> : null}
      <p>
        <Link to={`/t/${slug}/approvals`}>{t('dashboard:waiting.queue')}</Link>
      </p>
    </section>
  );
}

function AttentionCard({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const channelName = useChannelName(slug);
  const failed = usePosts(slug, { status: 'failed', limit: 50 });
  const partial = usePosts(slug, { status: 'partially_published', limit: 50 });
  const approved = usePosts(slug, { status: 'approved', limit: 200 });
  const publishing = usePosts(slug, { status: 'publishing', limit: 50 });
  const lists = [failed, partial, approved, publishing];
  const items = needingAttention(lists.flatMap((l) => l.data ?? []));
  const loading = lists.some((l) => l.isPending);
  const error = lists.find((l) => l.error)?.error;
  return (
    <section className="card" aria-labelledby="attention-heading">
      <h2 id="attention-heading">{t('dashboard:attention.heading')}</h2>
      {loading ? <Loading /> : null}
      <ProblemMessage error={error} />
      {!loading && !error && items.length === 0 ? <p>{t('dashboard:attention.empty')}</p> : null}
      {items.length > 0 ? (
        <ul className="card-list">
          {items.slice(0, 8).map(({ post, reason, channels }) => (
            <li key={post.id}>
              <StatusBadge status={post.status} />{' '}
              <Link to={`/t/${slug}/posts/${post.id}`}>{excerpt(post.body, 60)}</Link>
              <br />
              {t(`dashboard:attention.reason.${reason}`, {
                channels:
                  channels.length > 0
                    ? channels.map((c) => channelName(c) ?? t('dashboard:unknown_channel')).join(', ')
                    : t('dashboard:attention.some_channels'),
              })}
            </li>
          ))}
        </ul>
      ) : null}
      {items.length > 8 ? <p>{t('dashboard:attention.more', { count: items.length - 8 })}</p> : null}
    </section>
  );
}

function CrisisCard({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const crisis = useCrisis(slug);
  const active = crisis.data?.active ?? false;
  const held = crisis.data?.held?.length ?? 0;
  return (
    <section className={active ? 'card card-crisis' : 'card'} aria-labelledby="crisis-heading">
      <h2 id="crisis-heading">{t('dashboard:crisis.heading')}</h2>
      {crisis.isPending ? <Loading /> : null}
      <ProblemMessage error={crisis.error} />
      {crisis.data ? (
        <>
          <p>
            <span aria-hidden="true">{active ? '⚠ ' : '✓ '}</span>
            <strong>{active ? t('dashboard:crisis.on') : t('dashboard:crisis.off')}</strong>
          </p>
          {active && crisis.data.message ? <p>{crisis.data.message}</p> : null}
          {active && held > 0 ? <p>{t('dashboard:crisis.held', { count: held })}</p> : null}
        </>
      ) : null}
      <p>
        <Link to={`/t/${slug}/crisis`}>{t('dashboard:crisis.link')}</Link>
      </p>
    </section>
  );
}

function Notifications({ slug, zone }: { slug: string; zone: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const announce = useAnnounce();
  const focusAfter = useFocusAfterRender();
  const key = ['tenant', slug, 'dashboard', 'notifications'];
  const list = useQuery({
    queryKey: key,
    queryFn: () =>
      call(
        api.GET('/api/v1/tenants/{tenant}/notifications', {
          params: { path: { tenant: slug }, query: { limit: 50 } },
        }),
      ),
    enabled: slug !== '',
  });
  const read = useMutation({
    mutationFn: (id: string) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/notifications/{id}/read', {
          params: { path: { tenant: slug, id } },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: key });
      announce(t('dashboard:notifications.marked'));
    },
  });
  const unread = (list.data?.items ?? []).filter((n) => !n.read_at);
  return (
    <section aria-labelledby="notifications-heading" className="dashboard-section">
      <h2 id="notifications-heading" tabIndex={-1}>
        {t('dashboard:notifications.heading', { count: unread.length })}
      </h2>
      {list.isPending ? <Loading /> : null}
      <ProblemMessage error={list.error} />
      <ProblemMessage error={read.error} />
      {list.isSuccess && unread.length === 0 ? <p>{t('dashboard:notifications.empty')}</p> : null}
      {unread.length > 0 ? (
        <ul className="notifications">
          {unread.map((n, i) => (
            <li key={n.id}>
              <p>
                <strong>{t(`dashboard:notifications.kind.${n.kind}`, { defaultValue: n.kind })}</strong>
                {' · '}
                <DateTime value={n.created_at} zone={zone} />
              </p>
              <p>{n.message}</p>
              <p className="form-actions">
                {n.post_id ? (
                  <Link to={`/t/${slug}/posts/${n.post_id}`}>
                    {t('dashboard:notifications.open')}
                    <span className="visually-hidden">: {n.message}</span>
                  </Link>
                ) : null}
                <button
                  type="button"
                  id={`mark-read-${n.id}`}
                  disabled={read.isPending && read.variables === n.id}
                  onClick={() => {
                    // The notification leaves the list: focus goes to the next one's button
                    // (or the one before), else to the heading.
                    const next = unread[i + 1] ?? unread[i - 1];
                    read.mutate(n.id, {
                      onSuccess: () =>
                        focusAfter(next ? `mark-read-${next.id}` : null, 'notifications-heading'),
                    });
                  }}
                >
                  {t('dashboard:notifications.mark_read')}
                  <span className="visually-hidden">: {n.message}</span>
                </button>
              </p>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Chart({ slug, zone, now }: { slug: string; zone: string; now: number }) {
  const { t } = useTranslation();
  const published = usePosts(slug, { status: 'published', limit: 200 });
  const partial = usePosts(slug, { status: 'partially_published', limit: 50 });
  if (published.isPending || partial.isPending) {
    return (
      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">{t('dashboard:chart.heading')}</h2>
        <Loading />
      </section>
    );
  }
  if (published.error || partial.error) {
    return (
      <section aria-labelledby="chart-heading">
        <h2 id="chart-heading">{t('dashboard:chart.heading')}</h2>
        <ProblemMessage error={published.error ?? partial.error} />
      </section>
    );
  }
  const days = publishedPerDay([...(published.data ?? []), ...(partial.data ?? [])], zone, now);
  return <PublishedChart days={days} />;
}

export default function Dashboard() {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const zone = useTimeZone(slug);
  const [now] = useState(() => Date.now());
  return (
    <Page
      title={t('dashboard:title')}
      actions={
        can.compose(role) ? (
          <Link to={`/t/${slug}/compose`} className="button primary">
            {t('dashboard:compose')}
          </Link>
        ) : null
      }
    >
      <p className="page-note">{t('dashboard:zone', { zone })}</p>
      <div className="cards">
        <ScheduledCard slug={slug} zone={zone} now={now} />
        {can.approve(role) ? <WaitingCard slug={slug} zone={zone} /> : null}
        <AttentionCard slug={slug} />
        <CrisisCard slug={slug} />
      </div>
      <Notifications slug={slug} zone={zone} />
      <Chart slug={slug} zone={zone} now={now} />
    </Page>
  );
}
