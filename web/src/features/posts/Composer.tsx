// Writing a post: channels, a shared text with optional per-channel texts, images with alt
// text, a schedule in a chosen time zone and a campaign tag; a live preview per channel with
// character counters and the connectors' own checks. `/t/:tenant/compose` creates a draft,
// `/t/:tenant/posts/:id/edit` changes one (PATCH).
import { useEffect, useMemo, useRef, useState } from 'react';
import { useFieldArray, useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { Link, useNavigate, useParams } from 'react-router';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiProblem, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useSession, useTenant } from '../../auth/session';
import { formatInZone } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading, Page } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { useAnnounce } from '../../layout/live';
import { useTimeZone } from '../../layout/tenant';
import { useChannels } from '../channels/hooks';
import { networkName } from '../channels/networks';
import {
  mediaContentUrl,
  postKey,
  postsKey,
  uploadMedia,
  useDebounced,
  useMediaList,
  usePost,
  validatePost,
  type ChannelView,
  type PostView,
  type ProblemItem,
} from './hooks';
import {
  fieldId,
  ImagesFieldset,
  MAX_ALT_TEXT,
  MAX_IMAGES,
  ProblemList,
  type MediaItem,
} from './media';
import { measure, PreviewCard, type PreviewImage } from './preview';
import { isoToWallTime, timeZones, wallTimeToRfc3339 } from './schedule';

const MAX_BODY = 10_000;
const MAX_CAMPAIGN = 100;
const EDITABLE = ['draft', 'in_review', 'approved'];

type Variant = { on?: boolean; text?: string };

type FormValues = {
  channels: string[];
  body: string;
  variants: Record<string, Variant>;
  media: MediaItem[];
  when: 'asap' | 'at';
  at: string;
  zone: string;
  campaign: string;
  /** Network options: a content warning, a poll (answers one per line), follow-up parts. */
  cw: string;
  pollOn: boolean;
  pollAnswers: string;
  pollSeconds: string;
  pollMultiple: boolean;
  parts: { text: string }[];
};

const MAX_CW = 500;
const POLL_DURATIONS = ['3600', '86400', '259200', '604800'];

function pollAnswers(text: string): string[] {
  return text
    .split('\n')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

type T = (key: string, options?: Record<string, unknown>) => string;

function makeSchema(t: T, names: { current: Map<string, string> }) {
  return z
    .object({
      channels: z.array(z.string()),
      body: z.string().max(MAX_BODY, t('posts:composer.errors.too_long', { max: MAX_BODY })),
      variants: z.record(
        z.string(),
        z.object({
          on: z.boolean().optional(),
          text: z
            .string()
            .max(MAX_BODY, t('posts:composer.errors.too_long', { max: MAX_BODY }))
            .optional(),
        }),
      ),
      media: z
        .array(
          z.object({
            mediaId: z.string().optional(),
            fileKey: z.string().optional(),
            fileName: z.string(),
            alt_text: z
              .string()
              .max(MAX_ALT_TEXT, t('posts:composer.errors.alt_long', { max: MAX_ALT_TEXT })),
          }),
        )
        .max(MAX_IMAGES, t('posts:composer.images.full', { max: MAX_IMAGES })),
      when: z.enum(['asap', 'at']),
      at: z.string(),
      zone: z.string(),
      campaign: z
        .string()
        .max(MAX_CAMPAIGN, t('posts:composer.errors.campaign_long', { max: MAX_CAMPAIGN })),
      cw: z.string().max(MAX_CW, t('posts:composer.errors.cw_long', { max: MAX_CW })),
      pollOn: z.boolean(),
      pollAnswers: z.string(),
      pollSeconds: z.string(),
      pollMultiple: z.boolean(),
      parts: z.array(z.object({ text: z.string().max(MAX_BODY, t('posts:composer.errors.too_long', { max: MAX_BODY })) })),
    })
    .superRefine((v, ctx) => {
      if (v.channels.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['channels'], message: t('posts:composer.errors.channels') });
      }
      const ownText = (id: string) => {
        const variant = v.variants[id];
        return !!variant?.on && (variant.text ?? '').trim() !== '';
      };
      const everyOwn = v.channels.length > 0 && v.channels.every(ownText);
      if (v.body.trim() === '' && !everyOwn) {
        ctx.addIssue({ code: 'custom', path: ['body'], message: t('posts:composer.errors.body') });
      }
      for (const id of v.channels) {
        const variant = v.variants[id];
        if (variant?.on && (variant.text ?? '').trim() === '') {
          ctx.addIssue({
            code: 'custom',
            path: ['variants', id, 'text'],
            message: t('posts:composer.errors.variant', { name: names.current.get(id) ?? id }),
          });
        }
      }
      v.media.forEach((item, index) => {
        if (!item.mediaId && item.alt_text.trim() === '') {
          ctx.addIssue({
            code: 'custom',
            path: ['media', index, 'alt_text'],
            message: t('posts:composer.errors.alt', { n: index + 1, name: item.fileName }),
          });
        }
      });
      if (v.pollOn && pollAnswers(v.pollAnswers).length < 2) {
        ctx.addIssue({ code: 'custom', path: ['pollAnswers'], message: t('posts:composer.errors.poll_answers') });
      }
      v.parts.forEach((part, index) => {
        if (part.text.trim() === '') {
          ctx.addIssue({
            code: 'custom',
            path: ['parts', index, 'text'],
            message: t('posts:composer.errors.part_empty', { n: index + 2 }),
          });
        }
      });
      if (v.when === 'at') {
        const at = v.at ? wallTimeToRfc3339(v.at, v.zone) : null;
        if (!at) {
          ctx.addIssue({ code: 'custom', path: ['at'], message: t('posts:composer.errors.at') });
        } else if (new Date(at).getTime() < Date.now()) {
          ctx.addIssue({ code: 'custom', path: ['at'], message: t('posts:composer.errors.at_past') });
        }
      }
    });
}

/** The post's content as the server takes it (create, validate). */
function contentOf(values: FormValues, mediaIds: string[]) {
  const variants: Record<string, string> = {};
  for (const id of values.channels) {
    const v = values.variants?.[id];
    if (v?.on && v.text && v.text.trim() !== '') variants[id] = v.text;
  }
  // When every channel has its own text the shared one is not used, but the server keeps a
  // text for the post: the first channel's.
  const body = values.body.trim() !== '' ? values.body : (variants[values.channels[0]] ?? values.body);
  const scheduledAt = values.when === 'at' ? wallTimeToRfc3339(values.at, values.zone) : null;
  const campaign = values.campaign.trim();
  const contentWarning = values.cw.trim();
  const poll = values.pollOn
    ? {
        options: pollAnswers(values.pollAnswers),
        expires_in_seconds: Number(values.pollSeconds),
        multiple: values.pollMultiple,
      }
    : null;
  const thread = values.parts.map((p) => p.text);
  return {
    body,
    channels: values.channels,
    variants,
    media: mediaIds,
    scheduledAt,
    campaign,
    contentWarning,
    poll,
    thread,
  };
}

function createBody(values: FormValues, mediaIds: string[]) {
  const c = contentOf(values, mediaIds);
  return {
    body: c.body,
    channels: c.channels,
    variants: c.variants,
    media: c.media,
    ...(c.scheduledAt ? { scheduled_at: c.scheduledAt, time_zone: values.zone } : {}),
    ...(c.campaign ? { campaign: c.campaign } : {}),
    ...(c.contentWarning ? { content_warning: c.contentWarning } : {}),
    ...(c.poll ? { poll: c.poll } : {}),
    ...(c.thread.length > 0 ? { thread: c.thread } : {}),
  };
}

function valuesFromPost(post: PostView): FormValues {
  const variants: Record<string, Variant> = {};
  for (const [id, text] of Object.entries(post.variants ?? {})) variants[id] = { on: true, text };
  return {
    channels: [...post.channels],
    body: post.body,
    variants,
    media: post.media.map((id) => ({ mediaId: id, fileName: '', alt_text: '' })),
    when: post.scheduled_at ? 'at' : 'asap',
    at: post.scheduled_at ? isoToWallTime(post.scheduled_at, post.time_zone) : '',
    zone: post.time_zone,
    campaign: post.campaign ?? '',
    cw: post.content_warning ?? '',
    pollOn: !!post.poll,
    pollAnswers: post.poll?.options.join('\n') ?? '',
    pollSeconds: String(post.poll?.expires_in_seconds ?? 86400),
    pollMultiple: post.poll?.multiple ?? false,
    parts: post.thread.map((text) => ({ text })),
  };
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => resolve('');
    reader.readAsDataURL(file);
  });
}

export default function Composer() {
  const { t } = useTranslation();
  const { id: routeId } = useParams();
  const { slug, role } = useTenant();
  const { loading } = useSession();
  const post = usePost(slug, routeId);

  if (loading || (routeId && post.isPending)) {
    return (
      <Page title={routeId ? t('posts:composer.edit_title') : t('posts:composer.new_title')}>
        <Loading />
      </Page>
    );
  }
  if (!can.compose(role)) {
    return (
      <Page title={t('posts:composer.new_title')}>
        <p>{t('posts:composer.not_allowed')}</p>
      </Page>
    );
  }
  if (routeId && post.isError) {
    return (
      <Page title={t('posts:composer.edit_title')}>
        <ProblemMessage error={post.error} />
      </Page>
    );
  }
  if (post.data && !EDITABLE.includes(post.data.status)) {
    return (
      <Page title={t('posts:composer.edit_title')}>
        <p>
          {t('posts:composer.not_editable')} <StatusBadge status={post.data.status} />
        </p>
        <p>
          <Link to={`/t/${slug}/posts/${post.data.id}`}>{t('posts:composer.to_detail')}</Link>
        </p>
      </Page>
    );
  }
  return <ComposerForm slug={slug} initial={post.data} />;
}

function ComposerForm({ slug, initial }: { slug: string; initial: PostView | undefined }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const announce = useAnnounce();
  const tenantZone = useTimeZone(slug);
  const channelsQuery = useChannels(slug);
  const channels = useMemo(() => channelsQuery.data?.items ?? [], [channelsQuery.data]);

  const [postId, setPostId] = useState<string | undefined>(initial?.id);
  const [status, setStatus] = useState<string>(initial?.status ?? 'draft');
  const [problem, setProblem] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const files = useRef(new Map<string, File>());
  const [thumbs, setThumbs] = useState<Record<string, string>>({});
  const names = useRef(new Map<string, string>());
  names.current = new Map(channels.map((c) => [c.id, c.name]));

  const schema = useMemo(() => makeSchema(t as T, names), [t]);
  const {
    register,
    handleSubmit,
    watch,
    setValue,
    getFieldState,
    control,
    formState: { errors, isSubmitted, submitCount },
  } = useForm<FormValues>({
    resolver: zodResolver(schema),
    defaultValues: initial
      ? valuesFromPost(initial)
      : {
          channels: [],
          body: '',
          variants: {},
          media: [],
          when: 'asap',
          at: '',
          zone: tenantZone,
          campaign: '',
          cw: '',
          pollOn: false,
          pollAnswers: '',
          pollSeconds: '86400',
          pollMultiple: false,
          parts: [],
        },
  });
  const parts = useFieldArray<FormValues, 'parts', 'key'>({ control, name: 'parts', keyName: 'key' });
  const media = useFieldArray<FormValues, 'media', 'key'>({ control, name: 'media', keyName: 'key' });

  // The tenant's zone arrives after the form: use it unless the person chose one already.
  useEffect(() => {
    if (!initial && !getFieldState('zone').isDirty) setValue('zone', tenantZone);
  }, [tenantZone, initial, getFieldState, setValue]);

  const values = watch();
  const chosen = values.channels;
  const chosenChannels = chosen
    .map((id) => channels.find((c) => c.id === id))
    .filter((c): c is ChannelView => !!c);

  const uploadedIds = values.media.map((m) => m.mediaId).filter((id): id is string => !!id);
  const mediaDetails = useMediaList(slug, uploadedIds);
  const altOf = (mediaId: string) =>
    mediaDetails[uploadedIds.indexOf(mediaId)]?.data?.alt_text ?? undefined;
  const srcOf = (item: MediaItem) =>
    item.mediaId ? mediaContentUrl(slug, item.mediaId) : item.fileKey ? thumbs[item.fileKey] : undefined;
  const previewImages: PreviewImage[] = values.media.map((item, i) => ({
    key: item.mediaId ?? item.fileKey ?? String(i),
    src: srcOf(item) ?? '',
    alt: item.mediaId ? (altOf(item.mediaId) ?? '') : item.alt_text,
  }));

  // The connectors' own checks, once the text has rested for half a second.
  const hasText =
    values.body.trim() !== '' || chosen.some((id) => values.variants?.[id]?.text?.trim());
  const payload =
    chosen.length > 0 && hasText ? JSON.stringify(createBody(values, uploadedIds)) : '';
  const settled = useDebounced(payload, 500);
  const validation = useQuery({
    queryKey: ['tenant', slug, 'validate', settled],
    queryFn: () => validatePost(slug, JSON.parse(settled) as Schemas['CreatePostRequest']),
    enabled: settled !== '',
    retry: false,
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
  const liveItems: ProblemItem[] = settled ? (validation.data?.problems ?? []) : [];
  const serverItems: ProblemItem[] = problem instanceof ApiProblem ? problem.items : [];
  const items = [...serverItems, ...liveItems];
  const channelProblems = (id: string) =>
    unique(items.filter((i) => i.channel_id === id).map((i) => i.message));
  const fieldProblems = (...fields: string[]) =>
    unique(
      items
        .filter((i) => !i.channel_id && i.field && fields.includes(i.field))
        .map((i) => i.message),
    );

  const textFor = (id: string) => {
    const v = values.variants?.[id];
    return v?.on ? (v.text ?? '') : values.body;
  };

  // One polite summary of the counters, after typing pauses (not at every keystroke).
  const over = chosenChannels
    .map((c) => ({ c, m: measure(c, textFor(c.id), values.media.length) }))
    .filter(({ m }) => m.over > 0);
  const counterSummary =
    chosenChannels.length === 0
      ? ''
      : over.length > 0
        ? t('posts:preview.summary_over', {
            list: over
              .map(({ c, m }) => t('posts:preview.summary_item', { name: c.name, count: m.over }))
              .join('; '),
          })
        : t('posts:preview.summary_ok');
  const spokenSummary = useDebounced(counterSummary, 1000);

  const toggleChannel = (id: string, on: boolean) => {
    const next = on ? [...chosen.filter((c) => c !== id), id] : chosen.filter((c) => c !== id);
    setValue('channels', next, { shouldDirty: true, shouldValidate: isSubmitted });
  };

  const addFiles = (picked: File[]) => {
    for (const file of picked) {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      files.current.set(key, file);
      media.append({ fileKey: key, fileName: file.name, alt_text: '' }, { shouldFocus: false });
      void readAsDataUrl(file).then((url) => setThumbs((all) => ({ ...all, [key]: url })));
    }
  };

  /** Uploads new images, then creates or changes the post. */
  const persist = async (v: FormValues): Promise<PostView> => {
    const ids: string[] = [];
    for (const [index, item] of v.media.entries()) {
      if (item.mediaId) {
        ids.push(item.mediaId);
        continue;
      }
      const file = item.fileKey ? files.current.get(item.fileKey) : undefined;
      if (!file) continue;
      const uploaded = await uploadMedia(slug, file, item.alt_text.trim(), client);
      media.update(index, { ...item, mediaId: uploaded.id });
      ids.push(uploaded.id);
    }
    let saved: PostView;
    if (postId) {
      const c = contentOf(v, ids);
      saved = await call(
        api.PATCH('/api/v1/tenants/{tenant}/posts/{id}', {
          params: { path: { tenant: slug, id: postId } },
          body: {
            body: c.body,
            channels: c.channels,
            variants: c.variants,
            media: c.media,
            scheduled_at: c.scheduledAt,
            time_zone: v.zone,
            campaign: c.campaign || null,
            content_warning: c.contentWarning || null,
            poll: c.poll,
            thread: c.thread,
          },
        }),
      );
    } else {
      saved = await call(
        api.POST('/api/v1/tenants/{tenant}/posts', {
          params: { path: { tenant: slug } },
          body: createBody(v, ids),
        }),
      );
    }
    client.setQueryData(postKey(slug, saved.id), saved);
    void client.invalidateQueries({ queryKey: postsKey(slug) });
    setStatus(saved.status);
    if (!postId) setPostId(saved.id);
    return saved;
  };
  // A new post's address becomes its edit page once it is stored — after the whole action, so a
  // failed submit's problem stays on screen.
  const toEditPage = (id: string) => {
    if (!initial) navigate(`/t/${slug}/posts/${id}/edit`, { replace: true });
  };

  const run = (submit: boolean) =>
    handleSubmit(
      async (v) => {
        setProblem(null);
        setBusy(true);
        let stored: string | null = null;
        try {
          const saved = await persist(v);
          stored = saved.id;
          if (submit && saved.status === 'draft') {
            const submitted = await call(
              api.POST('/api/v1/tenants/{tenant}/posts/{id}/submit', {
                params: { path: { tenant: slug, id: saved.id } },
              }),
            );
            client.setQueryData(postKey(slug, submitted.id), submitted);
            void client.invalidateQueries({ queryKey: postsKey(slug) });
            announce(t('posts:composer.submitted'));
            navigate(`/t/${slug}/posts/${submitted.id}`);
          } else if (status !== 'draft') {
            announce(t('posts:composer.saved_review'));
            navigate(`/t/${slug}/posts/${saved.id}`);
          } else {
            announce(t('posts:composer.saved'));
            toEditPage(saved.id);
          }
        } catch (e) {
          setProblem(e);
          if (stored) toEditPage(stored);
        } finally {
          setBusy(false);
        }
      },
      () => setProblem(null),
    );

  const zones = useMemo(() => timeZones(tenantZone, values.zone), [tenantZone, values.zone]);
  const scheduledIso = values.when === 'at' && values.at ? wallTimeToRfc3339(values.at, values.zone) : null;
  const isDraft = status === 'draft';
  const title = postId ? t('posts:composer.edit_title') : t('posts:composer.new_title');

  return (
    <Page title={title}>
      {initial?.reject_reason ? (
        <section className="attention" aria-labelledby="rejected-title">
          <h2 id="rejected-title">
            <span aria-hidden="true">⚠ </span>
            {t('posts:composer.rejected_title')}
          </h2>
          <p className="rejected-reason">{initial.reject_reason}</p>
          <p>{t('posts:composer.rejected_hint')}</p>
        </section>
      ) : null}
      {!isDraft ? (
        <p className="notice">
          <StatusBadge status={status} /> {t('posts:composer.back_to_review')}
        </p>
      ) : null}
      <ErrorSummary items={errorItems(errors, undefined, fieldId)} attempt={submitCount} />
      <ProblemMessage error={problem} />
      <div className="composer">
        <form className="composer-form" noValidate onSubmit={run(true)}>
          <fieldset
            id={fieldId('channels')}
            tabIndex={-1}
            aria-describedby={errors.channels ? 'channels-error' : undefined}
          >
            <legend>{t('posts:composer.channels.legend')}</legend>
            {channelsQuery.isPending ? <Loading /> : null}
            {channelsQuery.isError ? <ProblemMessage error={channelsQuery.error} /> : null}
            {channelsQuery.isSuccess && channels.length === 0 ? (
              <p>
                {t('posts:composer.channels.none')}{' '}
                <Link to={`/t/${slug}/channels`}>{t('posts:composer.channels.to_channels')}</Link>
              </p>
            ) : null}
            {channels.map((c) => {
              const checked = chosen.includes(c.id);
              const active = c.status === 'active';
              const reasonId = `channel-reason-${c.id}`;
              return (
                <div className="checkbox channel-option" key={c.id}>
                  <input
                    type="checkbox"
                    id={`channel-${c.id}`}
                    checked={checked}
                    disabled={!active && !checked}
                    aria-describedby={active ? undefined : reasonId}
                    onChange={(e) => toggleChannel(c.id, e.target.checked)}
                  />
                  <label htmlFor={`channel-${c.id}`}>
                    {c.name} <span className="muted">({networkName(t, c.plugin)})</span>
                  </label>
                  <StatusBadge status={c.status} />
                  {!active ? (
                    <span className="hint" id={reasonId}>
                      {t(`posts:composer.channels.unavailable.${c.status}`, {
                        defaultValue: t('posts:composer.channels.unavailable.other'),
                      })}
                    </span>
                  ) : null}
                </div>
              );
            })}
            {channelsQuery.isSuccess
              ? chosen
                  .filter((id) => !channels.some((c) => c.id === id))
                  .map((id) => (
                    <div className="checkbox channel-option" key={id}>
                      <input
                        type="checkbox"
                        id={`channel-${id}`}
                        checked
                        onChange={(e) => toggleChannel(id, e.target.checked)}
                      />
                      <label htmlFor={`channel-${id}`}>
                        {t('posts:composer.channels.removed', { id })}
                      </label>
                    </div>
                  ))
              : null}
            {errors.channels?.message ? (
              <p className="error-text" id="channels-error">
                <span aria-hidden="true">⚠ </span>
                {errors.channels.message}
              </p>
            ) : null}
            <ProblemList items={fieldProblems('channels')} />
          </fieldset>

          <Field
            label={t('posts:composer.body.label')}
            hint={t('posts:composer.body.hint')}
            error={errors.body?.message}
          >
            <textarea id={fieldId('body')} rows={8} {...register('body')} />
          </Field>
          <ProblemList items={fieldProblems('body')} />

          {chosenChannels.map((c) => {
            const on = !!values.variants?.[c.id]?.on;
            return (
              <div className="variant" key={c.id}>
                <div className="checkbox">
                  <input type="checkbox" id={`variant-on-${c.id}`} {...register(`variants.${c.id}.on`)} />
                  <label htmlFor={`variant-on-${c.id}`}>
                    {t('posts:composer.variant.toggle', { name: c.name })}
                  </label>
                </div>
                {on ? (
                  <Field
                    label={t('posts:composer.variant.label', { name: c.name })}
                    error={errors.variants?.[c.id]?.text?.message}
                  >
                    <textarea
                      id={fieldId(`variants.${c.id}.text`)}
                      rows={5}
                      {...register(`variants.${c.id}.text`)}
                    />
                  </Field>
                ) : null}
              </div>
            );
          })}

          <ImagesFieldset<FormValues>
            fields={media.fields}
            register={register}
            errors={errors.media}
            srcOf={srcOf}
            uploadedAlt={altOf}
            onAdd={addFiles}
            onRemove={(index) => media.remove(index)}
            problems={fieldProblems('media')}
          />

          <fieldset className="schedule">
            <legend>{t('posts:composer.schedule.legend')}</legend>
            <div className="checkbox">
              <input type="radio" id="when-asap" value="asap" {...register('when')} />
              <label htmlFor="when-asap">{t('posts:composer.schedule.asap')}</label>
            </div>
            <div className="checkbox">
              <input type="radio" id="when-at" value="at" {...register('when')} />
              <label htmlFor="when-at">{t('posts:composer.schedule.at')}</label>
            </div>
            {values.when === 'at' ? (
              <div className="schedule-time">
                <Field label={t('posts:composer.schedule.time')} error={errors.at?.message}>
                  <input id={fieldId('at')} type="datetime-local" {...register('at')} />
                </Field>
                <Field label={t('posts:composer.schedule.zone')}>
                  <select id={fieldId('zone')} {...register('zone')}>
                    {zones.map((z) => (
                      <option key={z} value={z}>
                        {z}
                      </option>
                    ))}
                  </select>
                </Field>
                {scheduledIso ? (
                  <p className="hint schedule-echo" role="status">
                    {t('posts:composer.schedule.that_is', {
                      time: formatInZone(scheduledIso, tenantZone, i18n.language),
                      zone: tenantZone,
                    })}
                  </p>
                ) : null}
              </div>
            ) : null}
            <ProblemList items={fieldProblems('scheduled_at', 'time_zone')} />
          </fieldset>

          <Field
            label={t('posts:composer.campaign.label')}
            hint={t('posts:composer.campaign.hint')}
            error={errors.campaign?.message}
          >
            <input id={fieldId('campaign')} type="text" maxLength={MAX_CAMPAIGN} {...register('campaign')} />
          </Field>
          <ProblemList items={fieldProblems('campaign')} />

          <fieldset className="network-options">
            <legend>{t('posts:composer.options.legend')}</legend>
            <p className="hint">{t('posts:composer.options.hint')}</p>
            <Field
              label={t('posts:composer.options.cw_label')}
              hint={t('posts:composer.options.cw_hint')}
              error={errors.cw?.message}
            >
              <input id={fieldId('cw')} type="text" maxLength={MAX_CW} {...register('cw')} />
            </Field>
            <ProblemList items={fieldProblems('content_warning')} />

            <div className="checkbox">
              <input id={fieldId('pollOn')} type="checkbox" {...register('pollOn')} />
              <label htmlFor={fieldId('pollOn')}>{t('posts:composer.options.poll_on')}</label>
            </div>
            {values.pollOn ? (
              <div className="poll">
                <Field
                  label={t('posts:composer.options.poll_answers')}
                  hint={t('posts:composer.options.poll_answers_hint')}
                  error={errors.pollAnswers?.message}
                >
                  <textarea id={fieldId('pollAnswers')} rows={4} {...register('pollAnswers')} />
                </Field>
                <Field label={t('posts:composer.options.poll_duration')}>
                  <select id={fieldId('pollSeconds')} {...register('pollSeconds')}>
                    {POLL_DURATIONS.map((d) => (
                      <option key={d} value={d}>
                        {t(`posts:composer.options.durations.${d}`)}
                      </option>
                    ))}
                  </select>
                </Field>
                <div className="checkbox">
                  <input id={fieldId('pollMultiple')} type="checkbox" {...register('pollMultiple')} />
                  <label htmlFor={fieldId('pollMultiple')}>{t('posts:composer.options.poll_multiple')}</label>
                </div>
              </div>
            ) : null}
            <ProblemList items={fieldProblems('poll')} />

            <fieldset>
              <legend>{t('posts:composer.options.thread_title')}</legend>
            <p className="hint">{t('posts:composer.options.thread_hint')}</p>
            {parts.fields.map((part, index) => (
              <div key={part.key} className="thread-part">
                <Field
                  label={t('posts:composer.options.part_label', { n: index + 2 })}
                  error={errors.parts?.[index]?.text?.message}
                >
                  <textarea id={fieldId(`parts.${index}.text`)} rows={3} {...register(`parts.${index}.text`)} />
                </Field>
                <button type="button" onClick={() => parts.remove(index)}>
                  {t('posts:composer.options.remove_part', { n: index + 2 })}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => parts.append({ text: '' })}>
              {t('posts:composer.options.add_part')}
            </button>
            <ProblemList
              items={fieldProblems('thread', ...values.parts.map((_, i) => `thread.${i}`))}
            />
            </fieldset>
          </fieldset>

          <div className="form-actions">
            {isDraft ? (
              <>
                <button type="button" disabled={busy} onClick={run(false)}>
                  {t('posts:composer.save_draft')}
                </button>
                <button type="submit" className="primary" disabled={busy}>
                  {t('posts:composer.submit')}
                </button>
              </>
            ) : (
              <button type="submit" className="primary" disabled={busy}>
                {t('posts:composer.save_changes')}
              </button>
            )}
            {postId ? (
              <Link className="button" to={`/t/${slug}/posts/${postId}`}>
                {t('posts:composer.to_detail')}
              </Link>
            ) : null}
          </div>
          {busy ? (
            <p className="loading" role="status">
              {t('posts:composer.saving')}
            </p>
          ) : null}
        </form>

        <section className="composer-preview" aria-labelledby="preview-title">
          <h2 id="preview-title">{t('posts:preview.title')}</h2>
          <p className="visually-hidden" aria-live="polite" aria-atomic="true">
            {spokenSummary}
          </p>
          {chosenChannels.length === 0 ? <p>{t('posts:preview.choose')}</p> : null}
          {chosenChannels.map((c) => (
            <PreviewCard
              key={c.id}
              channel={c}
              text={textFor(c.id)}
              images={previewImages}
              problems={channelProblems(c.id)}
            />
          ))}
        </section>
      </div>
    </Page>
  );
}
