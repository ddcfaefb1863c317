// One post under review: its text per channel, what changed since the previous version, the
// comments, and the decision (approve with an optional comment, or reject with a reason).
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useSession, useTenant } from '../../auth/session';
import { DateTime } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useFocusAfterRender } from '../../components/focus';
import { Loading } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { excerpt } from '../../components/text';
import { useAnnounce } from '../../layout/live';
import { useTimeZone } from '../../layout/tenant';
import { useChannelName } from '../channels/hooks';
import { mayApproveStep, type Post } from '../dashboard/lookups';
import { useMemberName } from '../members/hooks';
import { usePost } from '../posts/hooks';
import { StepText } from './StepText';
import { lastTwo, revisionChanges, type Change } from './changes';
import { DiffText } from './DiffText';
import { RejectDialog } from './RejectDialog';

function ChangeItem({ change, zone }: { change: Change; zone: string }) {
  const { t } = useTranslation();
  const { slug } = useTenant();
  const channelName = useChannelName(slug);
  const channel = (id: string) => channelName(id) ?? t('approvals:unknown_channel');
  switch (change.kind) {
    case 'body':
      return (
        <li>
          <h4>{t('approvals:changes.body')}</h4>
          <DiffText parts={change.parts} />
        </li>
      );
    case 'variant_changed':
      return (
        <li>
          <h4>{t('approvals:changes.variant_changed', { channel: channel(change.channel) })}</h4>
          <DiffText parts={change.parts} />
        </li>
      );
    case 'variant_added':
      return (
        <li>
          <h4>{t('approvals:changes.variant_added', { channel: channel(change.channel) })}</h4>
          <DiffText parts={[{ kind: 'added', text: change.text }]} />
        </li>
      );
    case 'variant_removed':
      return (
        <li>
          <h4>{t('approvals:changes.variant_removed', { channel: channel(change.channel) })}</h4>
          <DiffText parts={[{ kind: 'removed', text: change.text }]} />
        </li>
      );
    case 'channel_added':
      return <li>{t('approvals:changes.channel_added', { channel: channel(change.channel) })}</li>;
    case 'channel_removed':
      return <li>{t('approvals:changes.channel_removed', { channel: channel(change.channel) })}</li>;
    case 'schedule':
      return (
        <li>
          {t('approvals:changes.schedule')}{' '}
          {change.before ? <DateTime value={change.before} zone={zone} /> : t('approvals:queue.when_approved')}
          {' → '}
          {change.after ? <DateTime value={change.after} zone={zone} /> : t('approvals:queue.when_approved')}
        </li>
      );
    case 'time_zone':
      return <li>{t('approvals:changes.time_zone', { before: change.before, after: change.after })}</li>;
    case 'media_added':
      return <li>{t('approvals:changes.media_added', { count: change.count })}</li>;
    case 'media_removed':
      return <li>{t('approvals:changes.media_removed', { count: change.count })}</li>;
    case 'media_reordered':
      return <li>{t('approvals:changes.media_reordered')}</li>;
    case 'campaign':
      return (
        <li>
          {t('approvals:changes.campaign', {
            before: change.before ?? t('common:none'),
            after: change.after ?? t('common:none'),
          })}
        </li>
      );
  }
}

/** Every revision of a post (the server's answer, oldest first). */
function useRevisions(slug: string, postId: string) {
  return useQuery({
    queryKey: ['tenant', slug, 'post', postId, 'revisions'],
    queryFn: () =>
      call(
        api.GET('/api/v1/tenants/{tenant}/posts/{id}/revisions', {
          params: { path: { tenant: slug, id: postId } },
        }),
      ),
  });
}

function Changes({ postId, zone }: { postId: string; zone: string }) {
  const { t } = useTranslation();
  const { slug } = useTenant();
  const revisions = useRevisions(slug, postId);
  const { previous, latest } = lastTwo(revisions.data?.items ?? []);
  const changes = previous && latest ? revisionChanges(previous, latest) : [];
  return (
    <section aria-labelledby="changes-heading">
      <h3 id="changes-heading">{t('approvals:changes.heading')}</h3>
      {revisions.isPending ? <Loading /> : null}
      <ProblemMessage error={revisions.error} />
      {revisions.isSuccess && !previous ? <p>{t('approvals:changes.first_version')}</p> : null}
      {previous && latest ? (
        <>
          <p>
            {t('approvals:changes.compared', { before: previous.revision, after: latest.revision })}
          </p>
          {changes.length === 0 ? (
            <p>{t('approvals:changes.none')}</p>
          ) : (
            <ul className="changes">
              {changes.map((c, i) => (
                <ChangeItem key={i} change={c} zone={zone} />
              ))}
            </ul>
          )}
        </>
      ) : null}
    </section>
  );
}

function Comments({ post }: { post: Post }) {
  const { t } = useTranslation();
  const { slug } = useTenant();
  const zone = useTimeZone(slug);
  const nameOf = useMemberName(slug);
  const client = useQueryClient();
  const announce = useAnnounce();
  const schema = useMemo(
    () =>
      z.object({
        text: z
          .string()
          .trim()
          .min(1, t('approvals:comments.required'))
          .max(2000, t('approvals:comments.too_long')),
      }),
    [t],
  );
  const form = useForm<z.infer<typeof schema>>({
    resolver: zodResolver(schema),
    defaultValues: { text: '' },
  });
  const comment = useMutation({
    mutationFn: (text: string) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/posts/{id}/comments', {
          params: { path: { tenant: slug, id: post.id } },
          body: { text },
        }),
      ),
    onSuccess: (updated) => {
      client.setQueryData(['tenant', slug, 'post', post.id], updated);
      form.reset({ text: '' });
      announce(t('approvals:comments.added'));
    },
  });
  const comments = post.comments ?? [];
  const { errors, submitCount } = form.formState;
  const textError = errors.text?.message;
  return (
    <section aria-labelledby="comments-heading">
      <h3 id="comments-heading">{t('approvals:comments.heading')}</h3>
      {comments.length === 0 ? (
        <p>{t('approvals:comments.empty')}</p>
      ) : (
        <ul className="comments">
          {comments.map((c) => (
            <li key={c.id}>
              <p className="comment-meta">
                <strong>{nameOf(c.user_id) ?? t('approvals:unknown_person')}</strong>
                {' · '}
                {t(`approvals:comments.kind.${c.kind}`, { defaultValue: c.kind })}
                {' · '}
                {t('approvals:comments.revision', { revision: c.revision })}
                {' · '}
                <DateTime value={c.at} zone={zone} />
              </p>
              <p className="comment-text">{c.text}</p>
            </li>
          ))}
        </ul>
      )}
      <form noValidate onSubmit={form.handleSubmit((v) => comment.mutate(v.text))}>
        <ErrorSummary items={errorItems(errors)} attempt={submitCount} />
        <Field label={t('approvals:comments.label')} error={textError}>
          <textarea {...form.register('text')} className="short" />
        </Field>
        <ProblemMessage error={comment.error} />
        <button type="submit" disabled={comment.isPending}>
          {t('approvals:comments.submit')}
        </button>
      </form>
    </section>
  );
}

function Decision({
  post,
  lastEditor,
  onDecided,
}: {
  post: Post;
  lastEditor: string | null;
  /** After an approval or rejection, when this section changes or goes. */
  onDecided: () => void;
}) {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const { me } = useSession();
  const client = useQueryClient();
  const announce = useAnnounce();
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');

  const settle = (updated: Post) => {
    client.setQueryData(['tenant', slug, 'post', post.id], updated);
    void client.invalidateQueries({ queryKey: ['tenant', slug, 'posts'] });
    void client.invalidateQueries({ queryKey: ['tenant', slug, 'dashboard'] });
  };
  const approve = useMutation({
    mutationFn: (text: string) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/posts/{id}/approve', {
          params: { path: { tenant: slug, id: post.id } },
          body: text.trim() ? { comment: text.trim() } : {},
        }),
      ),
    onSuccess: (updated) => {
      settle(updated);
      setComment('');
      onDecided();
      announce(
        updated.status === 'in_review' ? t('approvals:decision.approved_step') : t('approvals:decision.approved'),
      );
    },
  });
  const reject = useMutation({
    mutationFn: (reason: string) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/posts/{id}/reject', {
          params: { path: { tenant: slug, id: post.id } },
          body: { reason },
        }),
      ),
    onSuccess: (updated) => {
      setRejecting(false);
      settle(updated);
      onDecided();
      announce(t('approvals:decision.rejected'));
    },
  });

  if (!can.approve(role)) return null;
  const mine = me?.id === post.author_id;
  const editedLast = !mine && lastEditor !== null && me?.id === lastEditor;
  const alreadyApproved = post.approval?.approvals.some(
    (a) => a.user_id === me?.id && a.step === post.approval?.current_step,
  );
  const fits = mayApproveStep(post, role);
  const step = post.approval?.steps[post.approval.current_step];

  return (
    <section aria-labelledby="decision-heading">
      <h3 id="decision-heading">{t('approvals:decision.heading')}</h3>
      {mine ? <p className="notice">{t('approvals:decision.own_post')}</p> : null}
      {editedLast ? <p className="notice">{t('approvals:decision.edited_last')}</p> : null}
      {!mine && !editedLast && alreadyApproved ? (
        <p className="notice">{t('approvals:decision.already_approved')}</p>
      ) : null}
      {!mine && !editedLast && !alreadyApproved && !fits && step ? (
        <p className="notice">
          {t('approvals:decision.other_role', { role: t(`common:roles.${step.role}`) })}
        </p>
      ) : null}
      {!mine && !editedLast && !alreadyApproved && fits ? (
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            approve.mutate(comment);
          }}
        >
          <Field label={t('approvals:decision.comment')} hint={t('approvals:decision.comment_hint')}>
            <textarea
              className="short"
              value={comment}
              maxLength={2000}
              onChange={(e) => setComment(e.target.value)}
            />
          </Field>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={approve.isPending}>
              {t('approvals:decision.approve')}
            </button>
            <button type="button" onClick={() => setRejecting(true)}>
              {t('approvals:decision.reject')}
            </button>
          </div>
        </form>
      ) : (
        <div className="form-actions">
          <button type="button" onClick={() => setRejecting(true)}>
            {t('approvals:decision.reject')}
          </button>
        </div>
      )}
      <ProblemMessage error={approve.error} />
      <RejectDialog
        open={rejecting}
        pending={reject.isPending}
        error={reject.error}
        onReject={(reason) => reject.mutate(reason)}
        onCancel={() => {
          setRejecting(false);
          reject.reset();
        }}
      />
    </section>
  );
}

export function ReviewPanel({ postId }: { postId: string }) {
  const { t } = useTranslation();
  const { slug } = useTenant();
  const zone = useTimeZone(slug);
  const nameOf = useMemberName(slug);
  const channelName = useChannelName(slug);
  const post = usePost(slug, postId);
  // The decision's buttons go once it is made: focus goes to this panel's heading.
  const focusAfter = useFocusAfterRender();
  const { latest } = lastTwo(useRevisions(slug, postId).data?.items ?? []);

  const p = post.data;
  return (
    <section className="review-panel" aria-labelledby="review-heading">
      <h2 id="review-heading" tabIndex={-1}>
        {p ? t('approvals:review.heading', { excerpt: excerpt(p.body, 60) }) : t('approvals:review.heading_loading')}
      </h2>
      {post.isPending ? <Loading /> : null}
      <ProblemMessage error={post.error} />
      {p ? (
        <>
          <p>
            <StatusBadge status={p.status} />{' '}
            <Link to={`/t/${slug}/posts/${p.id}`}>{t('approvals:review.open_post')}</Link>
          </p>
          {p.status !== 'in_review' ? <p className="notice">{t('approvals:review.not_in_review')}</p> : null}
          <dl className="facts">
            <dt>{t('approvals:queue.author')}</dt>
            <dd>{nameOf(p.author_id) ?? t('approvals:unknown_person')}</dd>
            <dt>{t('approvals:queue.schedule')}</dt>
            <dd>
              {p.scheduled_at ? <DateTime value={p.scheduled_at} zone={zone} /> : t('approvals:queue.when_approved')}
            </dd>
            {p.status === 'in_review' ? (
              <>
                <dt>{t('approvals:queue.step')}</dt>
                <dd>
                  <StepText post={p} />
                </dd>
              </>
            ) : null}
            {p.campaign ? (
              <>
                <dt>{t('approvals:review.campaign')}</dt>
                <dd>{p.campaign}</dd>
              </>
            ) : null}
            <dt>{t('approvals:review.media')}</dt>
            <dd>{t('approvals:review.media_count', { count: p.media.length })}</dd>
          </dl>
          <section aria-labelledby="texts-heading">
            <h3 id="texts-heading">{t('approvals:review.texts')}</h3>
            {p.channels.map((c) => {
              const variants: Record<string, string> = p.variants ?? {};
              const own = variants[c];
              return (
                <div key={c} className="channel-text">
                  <h4>
                    {channelName(c) ?? t('approvals:unknown_channel')}
                    {own !== undefined ? ` (${t('approvals:review.own_text')})` : ''}
                  </h4>
                  <p className="preview">{own ?? p.body}</p>
                </div>
              );
            })}
          </section>
          <Changes postId={p.id} zone={zone} />
          <Comments post={p} />
          {p.status === 'in_review' ? (
            <Decision
              post={p}
              lastEditor={latest?.edited_by ?? null}
              onDecided={() => focusAfter('review-heading')}
            />
          ) : null}
        </>
      ) : null}
    </section>
  );
}
