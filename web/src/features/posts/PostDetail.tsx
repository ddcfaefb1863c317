// One post: its status, text, schedule, approval progress, comments and how it went on each
// channel, with the actions its status and the person's role allow. The page follows the
// server's live events (the query key `['tenant', slug, 'post', id]` is refreshed by them).
import { useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DateTime } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { PAGE_TITLE, useFocusAfterRender } from '../../components/focus';
import { Loading, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { excerpt } from '../../components/text';
import { useAnnounce } from '../../layout/live';
import { useCrisis, useTimeZone } from '../../layout/tenant';
import { useChannels } from '../channels/hooks';
import { networkName } from '../channels/networks';
import { useMemberName } from '../members/hooks';
import {
  mediaContentUrl,
  postKey,
  postsKey,
  useMediaList,
  usePost,
  type ChannelView,
  type PostView,
  type TargetView,
} from './hooks';

type Dialog =
  | { kind: 'withdraw' }
  | { kind: 'confirm' }
  | { kind: 'delete' }
  | { kind: 'retract' }
  | { kind: 'remove'; target: TargetView };

const MAX_COMMENT = 2000;

export default function PostDetail() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { slug } = useTenant();
  const post = usePost(slug, id);

  if (post.isPending) {
    return (
      <Page title={t('posts:detail.title')}>
        <Loading />
      </Page>
    );
  }
  if (post.isError) {
    return (
      <Page title={t('posts:detail.title')}>
        <ProblemMessage error={post.error} />
        <p>
          <Link to={`/t/${slug}/posts`}>{t('posts:detail.to_list')}</Link>
        </p>
      </Page>
    );
  }
  return <Detail slug={slug} post={post.data} />;
}

function Detail({ slug, post }: { slug: string; post: PostView }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const announce = useAnnounce();
  const { role } = useTenant();
  const zone = useTimeZone(slug);
  const crisis = useCrisis(slug);
  const channelsQuery = useChannels(slug);
  const nameOf = useMemberName(slug);
  const media = useMediaList(slug, post.media);
  const [problem, setProblem] = useState<unknown>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [reason, setReason] = useState('');
  const [reasonMissing, setReasonMissing] = useState(false);
  // The button that opened the dialog, for focus to go back to when an action fails.
  const opener = useRef<HTMLElement | null>(null);
  const focusAfter = useFocusAfterRender();
  const openDialog = (next: Dialog) => {
    opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    setReason('');
    setReasonMissing(false);
    setDialog(next);
  };

  const channels = new Map<string, ChannelView>(
    (channelsQuery.data?.items ?? []).map((c) => [c.id, c]),
  );
  const channelName = (cid: string) => channels.get(cid)?.name ?? t('posts:detail.unknown_channel');
  const network = (cid: string) => {
    const c = channels.get(cid);
    return c ? networkName(t, c.plugin) : t('posts:detail.the_network');
  };
  const person = (uid: string) => nameOf(uid) ?? uid;

  const compose = can.compose(role);
  const approve = can.approve(role);
  const { status, targets } = post;
  const failed = targets.filter((x) => x.status === 'failed');
  const unknown = targets.filter((x) => x.status === 'unknown');
  const waiting = targets.filter((x) => x.needs_confirmation && x.status === 'pending');
  const mayEdit = compose && ['draft', 'in_review', 'approved'].includes(status);
  const maySubmit = compose && status === 'draft';
  const mayWithdraw =
    compose &&
    (status === 'in_review' ||
      ((status === 'approved' || status === 'publishing') &&
        targets.some((x) => x.status === 'pending')));
  // Only a draft that never went into review may be deleted: anything else is a public record.
  const mayDelete = compose && status === 'draft' && !post.is_record;
  const mayRetract = approve && targets.some((x) => x.status === 'published' && !!x.remote_id);
  const mayRemove = (x: TargetView) => approve && x.status === 'published' && !!x.remote_id;

  const path = { tenant: slug, id: post.id };

  /**
   * Runs an action, shows the post it answers and announces the outcome. The action's button is
   * disabled meanwhile and usually gone afterwards, so focus then goes to the page's heading (the
   * problem, if any, follows it), or back to the button when it failed and is still there.
   */
  const act = async (
    name: string,
    run: () => Promise<PostView | undefined>,
    done: string,
    { leaves = false }: { leaves?: boolean } = {},
  ) => {
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const from = dialog ? opener.current : active;
    setDialog(null);
    setPending(name);
    setProblem(null);
    let ok = false;
    try {
      const next = await run();
      if (next) client.setQueryData(postKey(slug, post.id), next);
      void client.invalidateQueries({ queryKey: postsKey(slug) });
      announce(done);
      ok = true;
    } catch (e) {
      setProblem(e);
    } finally {
      setPending(null);
    }
    if (!(ok && leaves)) focusAfter(ok ? null : from, PAGE_TITLE);
    return ok;
  };

  const submit = () =>
    act(
      'submit',
      () => call(api.POST('/api/v1/tenants/{tenant}/posts/{id}/submit', { params: { path } })),
      t('posts:detail.done.submitted'),
    );
  const withdraw = () =>
    act(
      'withdraw',
      () => call(api.POST('/api/v1/tenants/{tenant}/posts/{id}/cancel', { params: { path } })),
      t('posts:detail.done.withdrawn'),
    );
  const retry = () =>
    act(
      'retry',
      () => call(api.POST('/api/v1/tenants/{tenant}/posts/{id}/retry', { params: { path } })),
      t('posts:detail.done.retried'),
    );
  const confirm = () =>
    act(
      'confirm',
      () => call(api.POST('/api/v1/tenants/{tenant}/posts/{id}/confirm', { params: { path } })),
      t('posts:detail.done.confirmed'),
    );
  const remove = (target: TargetView) =>
    act(
      'remove',
      () =>
        call(
          api.DELETE('/api/v1/tenants/{tenant}/posts/{id}/targets/{target}', {
            params: { path: { ...path, target: target.id } },
          }),
        ),
      t('posts:detail.done.removed', { name: channelName(target.channel_id) }),
    );
  const retract = (why: string) =>
    act(
      'retract',
      () =>
        call(
          api.POST('/api/v1/tenants/{tenant}/posts/{id}/retract', {
            params: { path },
            body: { reason: why },
          }),
        ),
      t('posts:detail.done.retracted'),
    );
  const deletePost = async () => {
    const ok = await act(
      'delete',
      async () => {
        await call(api.DELETE('/api/v1/tenants/{tenant}/posts/{id}', { params: { path } }));
        return undefined;
      },
      t('posts:detail.done.deleted'),
      { leaves: true },
    );
    if (ok) {
      client.removeQueries({ queryKey: postKey(slug, post.id) });
      navigate(`/t/${slug}/posts`);
    }
  };

  const title = t('posts:detail.title_with', { text: excerpt(post.body, 40) });

  const actions = (
    <>
      {mayEdit ? (
        <Link className="button" to={`/t/${slug}/posts/${post.id}/edit`}>
          {t('posts:detail.edit')}
        </Link>
      ) : null}
      {maySubmit ? (
        <button type="button" className="primary" disabled={pending !== null} onClick={() => void submit()}>
          {t('posts:detail.submit')}
        </button>
      ) : null}
      {mayWithdraw ? (
        <button type="button" disabled={pending !== null} onClick={() => openDialog({ kind: 'withdraw' })}>
          {t('posts:detail.withdraw')}
        </button>
      ) : null}
      {mayDelete ? (
        <button type="button" className="danger" disabled={pending !== null} onClick={() => openDialog({ kind: 'delete' })}>
          {t('posts:detail.delete')}
        </button>
      ) : null}
      {mayRetract ? (
        <button type="button" className="danger" disabled={pending !== null} onClick={() => openDialog({ kind: 'retract' })}>
          {t('posts:detail.retract')}
        </button>
      ) : null}
    </>
  );

  return (
    <Page title={title} actions={actions}>
      <ProblemMessage error={problem} />
      {pending ? (
        <p className="loading" role="status">
          {t('posts:detail.working')}
        </p>
      ) : null}

      {post.reject_reason ? (
        <section className="attention" aria-labelledby="rejected-title">
          <h2 id="rejected-title">
            <span aria-hidden="true">⚠ </span>
            {t('posts:detail.rejected_title')}
          </h2>
          <p className="rejected-reason">{post.reject_reason}</p>
        </section>
      ) : null}

      {post.retracted_at ? (
        <section className="attention" aria-labelledby="retracted-title">
          <h2 id="retracted-title">{t('posts:detail.retracted_title')}</h2>
          <p>
            {t('posts:detail.retracted_on')} <DateTime value={post.retracted_at} zone={zone} />.{' '}
            {t('posts:detail.retracted_reason')}
          </p>
          <p className="retract-reason">{post.retract_reason}</p>
        </section>
      ) : null}

      {waiting.length > 0 ? (
        <section className="attention" aria-labelledby="waiting-title">
          <h2 id="waiting-title">
            <span aria-hidden="true">⏸ </span>
            {t('posts:detail.waiting_title')}
          </h2>
          <p>
            {crisis.data?.active ? t('posts:detail.waiting_crisis') : t('posts:detail.waiting_late')}{' '}
            {t('posts:detail.waiting_channels', {
              list: waiting.map((x) => channelName(x.channel_id)).join(', '),
            })}
          </p>
          {approve ? (
            <div className="form-actions">
              <button type="button" className="primary" disabled={pending !== null} onClick={() => openDialog({ kind: 'confirm' })}>
                {t('posts:detail.confirm')}
              </button>
              {mayWithdraw ? (
                <button type="button" disabled={pending !== null} onClick={() => openDialog({ kind: 'withdraw' })}>
                  {t('posts:detail.withdraw_instead')}
                </button>
              ) : null}
            </div>
          ) : (
            <p>{t('posts:detail.waiting_ask')}</p>
          )}
        </section>
      ) : null}

      <section aria-labelledby="details-title">
        <h2 id="details-title">{t('posts:detail.details')}</h2>
        <dl className="post-facts">
          <Fact label={t('posts:detail.status')}>
            <StatusBadge status={status} />
            {post.emergency ? <> {t('posts:detail.emergency')}</> : null}
          </Fact>
          <Fact label={t('posts:detail.schedule')}>
            {post.scheduled_at ? (
              <>
                <DateTime value={post.scheduled_at} zone={zone} />
                {post.time_zone !== zone ? (
                  <>
                    {' '}
                    {t('posts:detail.chosen_in', { zone: post.time_zone })}
                  </>
                ) : null}
              </>
            ) : (
              t('posts:detail.asap')
            )}
          </Fact>
          <Fact label={t('posts:detail.campaign')}>{post.campaign || t('common:none')}</Fact>
          {post.content_warning ? (
            <Fact label={t('posts:detail.content_warning')}>{post.content_warning}</Fact>
          ) : null}
          {post.poll ? (
            <Fact label={t('posts:detail.poll')}>
              {post.poll.options.join(' · ')}
              {post.poll.multiple ? ` (${t('posts:detail.poll_multiple')})` : ''}
            </Fact>
          ) : null}
          {post.thread.length > 0 ? (
            <Fact label={t('posts:detail.thread')}>
              <ol start={2}>
                {post.thread.map((part, i) => (
                  <li key={i}>{part}</li>
                ))}
              </ol>
            </Fact>
          ) : null}
          <Fact label={t('posts:detail.author')}>{person(post.author_id)}</Fact>
          <Fact label={t('posts:detail.created')}>
            <DateTime value={post.created_at} zone={zone} />
          </Fact>
          <Fact label={t('posts:detail.updated')}>
            <DateTime value={post.updated_at} zone={zone} />{' '}
            {t('posts:detail.revision', { n: post.revision })}
          </Fact>
          {post.reply_to ? (
            <Fact label={t('posts:detail.reply_to')}>
              <Link to={`/t/${slug}/posts/${post.reply_to}`}>{t('posts:detail.reply_to_link')}</Link>
            </Fact>
          ) : null}
        </dl>
      </section>

      <section aria-labelledby="text-title">
        <h2 id="text-title">{t('posts:detail.text')}</h2>
        <div className="preview">{post.body}</div>
        {Object.entries(post.variants ?? {}).map(([cid, text]) => (
          <div key={cid} className="variant-text">
            <h3>{t('posts:detail.variant_for', { name: channelName(cid) })}</h3>
            <div className="preview">{text}</div>
          </div>
        ))}
      </section>

      {post.media.length > 0 ? (
        <section aria-labelledby="images-title">
          <h2 id="images-title">{t('posts:detail.images')}</h2>
          <ul className="thumbs detail-thumbs">
            {post.media.map((mid, i) => {
              const alt = media[i]?.data?.alt_text;
              return (
                <li key={mid}>
                  <img src={mediaContentUrl(slug, mid)} alt={alt ?? ''} />
                  <p className="hint">
                    <strong>{t('posts:composer.images.alt_label')}:</strong> {alt ?? t('common:loading')}
                  </p>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}

      {post.approval ? (
        <section aria-labelledby="approval-title">
          <h2 id="approval-title">{t('posts:detail.approval')}</h2>
          <ol className="approval-steps">
            {post.approval.steps.map((step, i) => {
              const given = post.approval?.approvals.filter((a) => a.step === i) ?? [];
              const current = post.approval?.current_step ?? 0;
              const state =
                i < current ? 'done' : i === current && status === 'in_review' ? 'current' : 'later';
              return (
                <li key={i} className={`step step-${state}`}>
                  <strong>{step.name}</strong> — {t(`posts:detail.step_state.${state}`)}
                  <br />
                  {t('posts:detail.step_needs', {
                    count: step.approvals_required,
                    role: t(`common:roles.${step.role}`),
                  })}{' '}
                  {t('posts:detail.step_given', { n: given.length, of: step.approvals_required })}
                  {given.length > 0 ? (
                    <ul>
                      {given.map((a) => (
                        <li key={`${a.user_id}-${a.at}`}>
                          {t('posts:detail.approved_by', { name: person(a.user_id) })}{' '}
                          <DateTime value={a.at} zone={zone} />
                        </li>
                      ))}
                    </ul>
                  ) : null}
                </li>
              );
            })}
          </ol>
          {post.approval.steps.length === 0 ? <p>{t('posts:detail.no_steps')}</p> : null}
        </section>
      ) : null}

      {(post.approval_history ?? []).length > 0 ? (
        <section aria-labelledby="approval-history-title">
          <h2 id="approval-history-title">{t('posts:detail.approval_history')}</h2>
          <p>{t('posts:detail.approval_history_intro')}</p>
          <ul>
            {(post.approval_history ?? []).map((a) => (
              <li key={`${a.user_id}-${a.round}-${a.at}`}>
                {t('posts:detail.approval_history_item', {
                  name: person(a.user_id),
                  round: a.round,
                  revision: a.revision,
                })}{' '}
                <DateTime value={a.at} zone={zone} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="targets-title">
        <h2 id="targets-title">{t('posts:detail.channels')}</h2>
        {targets.length === 0 ? (
          <>
            <p>{t('posts:detail.no_targets')}</p>
            <ul>
              {post.channels.map((cid) => (
                <li key={cid}>
                  {channelName(cid)} <span className="muted">({network(cid)})</span>
                </li>
              ))}
            </ul>
          </>
        ) : (
          <>
            {failed.length > 0 && approve ? (
              <div className="form-actions">
                <button type="button" className="primary" disabled={pending !== null} onClick={() => void retry()}>
                  {t('posts:detail.retry')}
                </button>
              </div>
            ) : null}
            {unknown.length > 0 ? <p className="hint">{t('posts:detail.unknown_hint')}</p> : null}
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">{t('posts:detail.targets_caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('posts:detail.col_channel')}</th>
                    <th scope="col">{t('posts:detail.col_status')}</th>
                    <th scope="col">{t('posts:detail.col_published')}</th>
                    <th scope="col">{t('posts:detail.col_link')}</th>
                    <th scope="col">{t('posts:detail.col_error')}</th>
                    <th scope="col">{t('posts:detail.col_attempts')}</th>
                    {approve ? <th scope="col">{t('posts:detail.col_actions')}</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {targets.map((x) => (
                    <tr key={x.id}>
                      <th scope="row">
                        {channelName(x.channel_id)}{' '}
                        <span className="muted">({network(x.channel_id)})</span>
                      </th>
                      <td>
                        <StatusBadge status={x.status} />
                        {x.needs_confirmation && x.status === 'pending' ? (
                          <>
                            <br />
                            {t('posts:detail.needs_confirmation')}
                          </>
                        ) : null}
                      </td>
                      <td>
                        {x.published_at ? (
                          <DateTime value={x.published_at} zone={zone} />
                        ) : x.status === 'pending' ? (
                          <>
                            {t('posts:detail.due')} <DateTime value={x.due_at} zone={zone} />
                          </>
                        ) : (
                          t('common:none')
                        )}
                      </td>
                      <td>
                        {x.remote_url && x.status !== 'deleted' ? (
                          <a href={x.remote_url}>
                            {t('posts:detail.view_on', { network: network(x.channel_id) })}
                            <span className="visually-hidden"> ({channelName(x.channel_id)})</span>
                          </a>
                        ) : (
                          t('common:none')
                        )}
                      </td>
                      <td>{x.last_error ?? t('common:none')}</td>
                      <td>{x.attempts}</td>
                      {approve ? (
                        <td>
                          {mayRemove(x) ? (
                            <button
                              type="button"
                              disabled={pending !== null}
                              onClick={() => openDialog({ kind: 'remove', target: x })}
                            >
                              {t('posts:detail.remove', { network: network(x.channel_id) })}
                              <span className="visually-hidden"> ({channelName(x.channel_id)})</span>
                            </button>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>

      <Comments slug={slug} post={post} person={person} zone={zone} mayComment={compose} />

      <ConfirmDialog
        open={dialog !== null}
        title={
          dialog?.kind === 'withdraw'
            ? t('posts:detail.dialog.withdraw_title')
            : dialog?.kind === 'confirm'
              ? t('posts:detail.dialog.confirm_title')
              : dialog?.kind === 'delete'
                ? t('posts:detail.dialog.delete_title')
                : dialog?.kind === 'retract'
                  ? t('posts:detail.dialog.retract_title')
                  : dialog?.kind === 'remove'
                  ? t('posts:detail.dialog.remove_title', { name: channelName(dialog.target.channel_id) })
                  : ''
        }
        confirmLabel={
          dialog?.kind === 'withdraw'
            ? t('posts:detail.withdraw')
            : dialog?.kind === 'confirm'
              ? t('posts:detail.confirm')
              : dialog?.kind === 'delete'
                ? t('posts:detail.delete')
                : dialog?.kind === 'retract'
                  ? t('posts:detail.dialog.retract_confirm')
                  : dialog?.kind === 'remove'
                  ? t('posts:detail.dialog.remove_confirm')
                  : ''
        }
        danger={dialog?.kind === 'delete' || dialog?.kind === 'retract' || dialog?.kind === 'remove'}
        onCancel={() => setDialog(null)}
        onConfirm={() => {
          if (!dialog) return;
          if (dialog.kind === 'withdraw') void withdraw();
          else if (dialog.kind === 'confirm') void confirm();
          else if (dialog.kind === 'delete') void deletePost();
          else if (dialog.kind === 'retract') {
            if (reason.trim() === '') setReasonMissing(true);
            else void retract(reason.trim());
          }
          else void remove(dialog.target);
        }}
      >
        {dialog?.kind === 'withdraw' ? <p>{t('posts:detail.dialog.withdraw_text')}</p> : null}
        {dialog?.kind === 'confirm' ? (
          <p>
            {crisis.data?.active
              ? t('posts:detail.dialog.confirm_crisis')
              : t('posts:detail.dialog.confirm_late')}
          </p>
        ) : null}
        {dialog?.kind === 'delete' ? <p>{t('posts:detail.dialog.delete_text')}</p> : null}
        {dialog?.kind === 'retract' ? (
          <>
            <p>{t('posts:detail.dialog.retract_text')}</p>
            <Field
              label={t('posts:detail.dialog.retract_reason')}
              error={reasonMissing ? t('posts:detail.dialog.retract_reason_missing') : undefined}
            >
              <textarea
                id="retract-reason"
                rows={3}
                maxLength={MAX_COMMENT}
                value={reason}
                onChange={(e) => {
                  setReason(e.target.value);
                  if (e.target.value.trim() !== '') setReasonMissing(false);
                }}
              />
            </Field>
          </>
        ) : null}
        {dialog?.kind === 'remove' ? (
          <p>{t('posts:detail.dialog.remove_text', { network: network(dialog.target.channel_id) })}</p>
        ) : null}
      </ConfirmDialog>
    </Page>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Comments({
  slug,
  post,
  person,
  zone,
  mayComment,
}: {
  slug: string;
  post: PostView;
  person: (id: string) => string;
  zone: string;
  mayComment: boolean;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const announce = useAnnounce();
  const [problem, setProblem] = useState<unknown>(null);
  const schema = z.object({
    text: z
      .string()
      .trim()
      .min(1, t('posts:detail.comment_required'))
      .max(MAX_COMMENT, t('posts:detail.comment_long', { max: MAX_COMMENT })),
  });
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, isSubmitting, submitCount },
  } = useForm<{ text: string }>({ resolver: zodResolver(schema), defaultValues: { text: '' } });

  const onSubmit = handleSubmit(async ({ text }) => {
    setProblem(null);
    try {
      const next = await call(
        api.POST('/api/v1/tenants/{tenant}/posts/{id}/comments', {
          params: { path: { tenant: slug, id: post.id } },
          body: { text },
        }),
      );
      client.setQueryData(postKey(slug, post.id), next);
      reset({ text: '' });
      announce(t('posts:detail.done.commented'));
    } catch (e) {
      setProblem(e);
    }
  });

  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">{t('posts:detail.comments')}</h2>
      {post.comments.length === 0 ? <p>{t('posts:detail.no_comments')}</p> : null}
      {post.comments.length > 0 ? (
        <ol className="comments">
          {post.comments.map((c) => (
            <li key={c.id} className={`comment comment-${c.kind}`}>
              <p className="comment-meta">
                <strong>{t(`posts:detail.comment_kind.${c.kind}`, { defaultValue: c.kind })}</strong>{' '}
                {t('posts:detail.comment_by', { name: person(c.user_id) })}{' '}
                <DateTime value={c.at} zone={zone} />{' '}
                <span className="muted">{t('posts:detail.revision', { n: c.revision })}</span>
              </p>
              <p className="comment-text">{c.text}</p>
            </li>
          ))}
        </ol>
      ) : null}
      {mayComment ? (
        <form noValidate onSubmit={onSubmit} className="comment-form">
          <ErrorSummary items={errorItems(errors)} attempt={submitCount} />
          <ProblemMessage error={problem} />
          <Field label={t('posts:detail.comment_label')} error={errors.text?.message}>
            <textarea rows={3} {...register('text')} />
          </Field>
          <button type="submit" disabled={isSubmitting}>
            {t('posts:detail.comment_add')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
