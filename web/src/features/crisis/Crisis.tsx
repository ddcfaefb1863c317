// Crisis mode: whether it is on and what the banner says; owners switch it (with a message and
// a confirmation); while it is on, what is held and the emergency broadcast.
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DateTime } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading, Page } from '../../components/Page';
import { excerpt } from '../../components/text';
import { useAnnounce } from '../../layout/live';
import { useCrisis, useTimeZone } from '../../layout/tenant';
import { useChannelName } from '../channels/hooks';
import { targetsNeedingConfirmation, usePosts, type Post } from '../dashboard/lookups';
import { useMemberName } from '../members/hooks';
import { usePost } from '../posts/hooks';

type Confirming = null | 'on' | 'off' | 'emergency';

type HeldRow = {
  postId: string;
  post: Post | null;
  /** Channel ids of targets that wait for a person's decision. */
  waiting: string[];
  due: string | null;
};

/** The text of a held post that is not in the approved list (e.g. one already publishing). */
function HeldPostText({ slug, id }: { slug: string; id: string }) {
  const { t } = useTranslation();
  const post = usePost(slug, id);
  return <>{post.data ? excerpt(post.data.body, 70) : t('crisis:held.unnamed_post')}</>;
}

function HeldList({ slug, zone }: { slug: string; zone: string }) {
  const { t } = useTranslation();
  const crisis = useCrisis(slug);
  const approved = usePosts(slug, { status: 'approved', limit: 200 });
  const channelName = useChannelName(slug);

  const rows = new Map<string, HeldRow>();
  for (const post of approved.data ?? []) {
    const waiting = targetsNeedingConfirmation(post).map((target) => target.channel_id);
    if (!post.scheduled_at && waiting.length === 0) continue;
    rows.set(post.id, { postId: post.id, post, waiting, due: post.scheduled_at ?? null });
  }
  for (const held of crisis.data?.held ?? []) {
    const row: HeldRow = rows.get(held.post_id) ?? {
      postId: held.post_id,
      post: null,
      waiting: [],
      due: held.due_at,
    };
    if (!row.waiting.includes(held.channel_id)) row.waiting.push(held.channel_id);
    rows.set(held.post_id, row);
  }
  const list = [...rows.values()].sort(
    (a, b) => (a.due ? Date.parse(a.due) : Infinity) - (b.due ? Date.parse(b.due) : Infinity),
  );

  return (
    <section aria-labelledby="held-heading">
      <h2 id="held-heading">{t('crisis:held.heading')}</h2>
      <p>{t('crisis:held.intro')}</p>
      {approved.isPending ? <Loading /> : null}
      <ProblemMessage error={approved.error} />
      {approved.isSuccess && list.length === 0 ? <p>{t('crisis:held.empty')}</p> : null}
      {list.length > 0 ? (
        <table>
          <caption className="visually-hidden">{t('crisis:held.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('crisis:held.post')}</th>
              <th scope="col">{t('crisis:held.due')}</th>
              <th scope="col">{t('crisis:held.state')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((row) => (
              <tr key={row.postId}>
                <th scope="row">
                  <Link to={`/t/${slug}/posts/${row.postId}`}>
                    {row.post ? excerpt(row.post.body, 70) : <HeldPostText slug={slug} id={row.postId} />}
                  </Link>
                </th>
                <td>{row.due ? <DateTime value={row.due} zone={zone} /> : t('crisis:held.no_time')}</td>
                <td>
                  {row.waiting.length > 0
                    ? t('crisis:held.waiting', {
                        channels: row.waiting
                          .map((c) => channelName(c) ?? t('crisis:unknown_channel'))
                          .join(', '),
                      })
                    : t('crisis:held.paused')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export default function Crisis() {
  const { t } = useTranslation();
  const { slug, role } = useTenant();
  const zone = useTimeZone(slug);
  const crisis = useCrisis(slug);
  const nameOf = useMemberName(slug);
  const client = useQueryClient();
  const announce = useAnnounce();
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [broadcast, setBroadcast] = useState<Post | null>(null);
  const active = crisis.data?.active ?? false;
  const owner = can.manage(role);

  const messageSchema = useMemo(
    () =>
      z.object({
        message: z
          .string()
          .trim()
          .min(1, t('crisis:switch.message_required'))
          .max(500, t('crisis:switch.message_too_long')),
      }),
    [t],
  );
  const messageForm = useForm<z.infer<typeof messageSchema>>({
    resolver: zodResolver(messageSchema),
    defaultValues: { message: '' },
  });
  const emergencySchema = useMemo(
    () =>
      z.object({
        body: z
          .string()
          .trim()
          .min(1, t('crisis:emergency.body_required'))
          .max(10000, t('crisis:emergency.body_too_long')),
      }),
    [t],
  );
  const emergencyForm = useForm<z.infer<typeof emergencySchema>>({
    resolver: zodResolver(emergencySchema),
    defaultValues: { body: '' },
  });

  const { reset: resetMessage } = messageForm;
  const serverMessage = crisis.data?.message ?? '';
  useEffect(() => {
    resetMessage({ message: active ? serverMessage : '' });
  }, [active, serverMessage, resetMessage]);

  const setCrisis = useMutation({
    mutationFn: (body: { active: boolean; message?: string }) =>
      call(api.PUT('/api/v1/tenants/{tenant}/crisis', { params: { path: { tenant: slug } }, body })),
    onSuccess: (view, body) => {
      client.setQueryData(['tenant', slug, 'crisis'], view);
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'crisis'] });
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'posts'] });
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'dashboard'] });
      if (body.active === active) announce(t('crisis:switch.message_updated'));
      else announce(view.active ? t('crisis:switch.now_on') : t('crisis:switch.now_off'));
    },
  });
  const emergency = useMutation({
    mutationFn: (body: string) =>
      call(api.POST('/api/v1/tenants/{tenant}/emergency', { params: { path: { tenant: slug } }, body: { body } })),
    onSuccess: (post) => {
      setBroadcast(post);
      emergencyForm.reset({ body: '' });
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'posts'] });
      void client.invalidateQueries({ queryKey: ['tenant', slug, 'dashboard'] });
      announce(t('crisis:emergency.created'));
    },
  });

  const confirm = () => {
    const which = confirming;
    setConfirming(null);
    if (which === 'on') {
      setCrisis.mutate({ active: true, message: messageForm.getValues('message').trim() });
    } else if (which === 'off') {
      setCrisis.mutate({ active: false });
    } else if (which === 'emergency') {
      emergency.mutate(emergencyForm.getValues('body').trim());
    }
  };

  const messageErrors = messageForm.formState.errors;
  const bodyErrors = emergencyForm.formState.errors;
  const messageError = messageErrors.message?.message;
  const bodyError = bodyErrors.body?.message;
  const changedBy = crisis.data?.changed_by ? nameOf(crisis.data.changed_by) : null;

  return (
    <Page title={t('crisis:title')}>
      <p>{t('crisis:intro')}</p>
      {crisis.isPending ? <Loading /> : null}
      <ProblemMessage error={crisis.error} />
      {crisis.data ? (
        <section aria-labelledby="state-heading">
          <h2 id="state-heading">{t('crisis:state.heading')}</h2>
          <p className={active ? 'crisis-state crisis-state-on' : 'crisis-state'}>
            <span aria-hidden="true">{active ? '⚠ ' : '✓ '}</span>
            <strong>{active ? t('crisis:state.on') : t('crisis:state.off')}</strong>
          </p>
          {active && crisis.data.message ? (
            <p>
              {t('crisis:state.message')} <q>{crisis.data.message}</q>
            </p>
          ) : null}
          {crisis.data.changed_at ? (
            <p>
              {t(active ? 'crisis:state.switched_on' : 'crisis:state.switched_off', {
                who: changedBy ?? t('crisis:state.someone'),
              })}{' '}
              <DateTime value={crisis.data.changed_at} zone={zone} />
            </p>
          ) : null}
        </section>
      ) : null}

      {crisis.data && owner ? (
        <section aria-labelledby="switch-heading">
          <h2 id="switch-heading">{t('crisis:switch.heading')}</h2>
          <form
            noValidate
            onSubmit={messageForm.handleSubmit((values) =>
              setCrisis.mutate({ active: true, message: values.message.trim() }),
            )}
          >
            <ErrorSummary items={errorItems(messageErrors)} attempt={messageForm.formState.submitCount} />
            <Field
              label={t('crisis:switch.message')}
              hint={t('crisis:switch.message_hint')}
              error={messageError}
            >
              <textarea className="short" maxLength={500} {...messageForm.register('message')} />
            </Field>
            <div className="form-actions crisis-switch">
              <button
                type="button"
                role="switch"
                aria-checked={active}
                className={active ? 'danger' : undefined}
                disabled={setCrisis.isPending}
                onClick={() => {
                  if (active) setConfirming('off');
                  else void messageForm.handleSubmit(() => setConfirming('on'))();
                }}
              >
                {t('crisis:switch.label')}
                <span className="switch-state" aria-hidden="true">
                  {active ? t('crisis:switch.state_on') : t('crisis:switch.state_off')}
                </span>
              </button>
              {active ? (
                <button type="submit" disabled={setCrisis.isPending}>
                  {t('crisis:switch.update_message')}
                </button>
              ) : null}
            </div>
          </form>
          <ProblemMessage error={setCrisis.error} />
        </section>
      ) : null}
      {crisis.data && !owner ? <p>{t('crisis:switch.owners_only')}</p> : null}

      {active ? <HeldList slug={slug} zone={zone} /> : null}

      {active && owner ? (
        <section aria-labelledby="emergency-heading">
          <h2 id="emergency-heading">{t('crisis:emergency.heading')}</h2>
          <p>{t('crisis:emergency.intro')}</p>
          <form noValidate onSubmit={emergencyForm.handleSubmit(() => setConfirming('emergency'))}>
            <ErrorSummary items={errorItems(bodyErrors)} attempt={emergencyForm.formState.submitCount} />
            <Field label={t('crisis:emergency.body')} error={bodyError}>
              <textarea {...emergencyForm.register('body')} />
            </Field>
            <button type="submit" className="danger" disabled={emergency.isPending}>
              {t('crisis:emergency.submit')}
            </button>
          </form>
          <ProblemMessage error={emergency.error} />
          {broadcast ? (
            <p className="notice">
              {t('crisis:emergency.created')}{' '}
              <Link to={`/t/${slug}/posts/${broadcast.id}`}>{t('crisis:emergency.open')}</Link>
            </p>
          ) : null}
        </section>
      ) : null}

      <ConfirmDialog
        open={confirming !== null}
        title={
          confirming === 'off'
            ? t('crisis:confirm.off_title')
            : confirming === 'emergency'
              ? t('crisis:confirm.emergency_title')
              : t('crisis:confirm.on_title')
        }
        confirmLabel={
          confirming === 'off'
            ? t('crisis:confirm.off_button')
            : confirming === 'emergency'
              ? t('crisis:confirm.emergency_button')
              : t('crisis:confirm.on_button')
        }
        danger={confirming !== 'off'}
        onConfirm={confirm}
        onCancel={() => setConfirming(null)}
      >
        {confirming === 'on' ? (
          <>
            <p>{t('crisis:confirm.on_text')}</p>
            <p>
              {t('crisis:confirm.banner')} <q>{messageForm.getValues('message').trim()}</q>
            </p>
          </>
        ) : null}
        {confirming === 'off' ? <p>{t('crisis:confirm.off_text')}</p> : null}
        {confirming === 'emergency' ? <p>{t('crisis:confirm.emergency_text')}</p> : null}
      </ConfirmDialog>
    </Page>
  );
}
