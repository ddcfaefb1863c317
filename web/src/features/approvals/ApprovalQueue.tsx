// The approval queue: every post in review with who wrote it, where and when it goes out and
// which approval step it waits at; the selected post opens for review below the list.
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { Page, Loading } from '../../components/Page';
import { DateTime } from '../../components/DateTime';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { excerpt } from '../../components/text';
import { useTimeZone } from '../../layout/tenant';
import { useChannelName } from '../channels/hooks';
import { usePosts, type Post } from '../dashboard/lookups';
import { useMemberName } from '../members/hooks';
import { ReviewPanel } from './ReviewPanel';
import { StepText } from './StepText';

/** Soonest first; posts without a time go out as soon as approved, so they come first. */
function bySchedule(a: Post, b: Post): number {
  const ta = a.scheduled_at ? Date.parse(a.scheduled_at) : -Infinity;
  const tb = b.scheduled_at ? Date.parse(b.scheduled_at) : -Infinity;
  return ta - tb;
}

export default function ApprovalQueue() {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const zone = useTimeZone(slug);
  const [params] = useSearchParams();
  const selected = params.get('post');
  const posts = usePosts(slug, { status: 'in_review', limit: 100 });
  const nameOf = useMemberName(slug);
  const channelName = useChannelName(slug);
  const panel = useRef<HTMLDivElement>(null);

  // Choosing a post moves focus to its review (not on arrival: the page's title comes first).
  const shown = useRef(selected);
  useEffect(() => {
    if (selected && selected !== shown.current) panel.current?.querySelector<HTMLElement>('h2')?.focus();
    shown.current = selected;
  }, [selected]);

  const items = [...(posts.data ?? [])].sort(bySchedule);
  return (
    <Page title={t('approvals:title')}>
      <p>{t('approvals:intro')}</p>
      {can.approve(role) ? null : <p className="notice">{t('approvals:read_only')}</p>}
      <section aria-labelledby="queue-heading">
        <h2 id="queue-heading">{t('approvals:queue.heading', { count: items.length })}</h2>
        {posts.isPending ? <Loading /> : null}
        <ProblemMessage error={posts.error} />
        {posts.isSuccess && items.length === 0 ? <p>{t('approvals:queue.empty')}</p> : null}
        {items.length > 0 ? (
          <ul className="approval-queue">
            {items.map((post) => {
              const current = post.id === selected;
              return (
                <li key={post.id} className={current ? 'approval-item approval-item-current' : 'approval-item'}>
                  <h3>{excerpt(post.body, 80)}</h3>
                  <dl className="facts">
                    <dt>{t('approvals:queue.author')}</dt>
                    <dd>{nameOf(post.author_id) ?? t('approvals:unknown_person')}</dd>
                    <dt>{t('approvals:queue.channels')}</dt>
                    <dd>
                      {post.channels.map((c) => channelName(c) ?? t('approvals:unknown_channel')).join(', ')}
                    </dd>
                    <dt>{t('approvals:queue.schedule')}</dt>
                    <dd>
                      {post.scheduled_at ? (
                        <DateTime value={post.scheduled_at} zone={zone} />
                      ) : (
                        t('approvals:queue.when_approved')
                      )}
                    </dd>
                    <dt>{t('approvals:queue.step')}</dt>
                    <dd>
                      <StepText post={post} />
                    </dd>
                  </dl>
                  <Link
                    to={`?post=${encodeURIComponent(post.id)}`}
                    aria-current={current ? 'true' : undefined}
                    className="button"
                  >
                    {t('approvals:queue.review')}
                    <span className="visually-hidden">: {excerpt(post.body, 80)}</span>
                  </Link>
                </li>
              );
            })}
          </ul>
        ) : null}
      </section>
      <div ref={panel}>{selected ? <ReviewPanel key={selected} postId={selected} /> : null}</div>
    </Page>
  );
}
