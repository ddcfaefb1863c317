// The tenant's audit log, newest first, with filters and paging, and a check of its hash chain
// (every event's hash covers the one before, so a changed or removed event shows).
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { DateTime } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading, Page } from '../../components/Page';
import { useAnnounce } from '../../layout/live';
import { useTimeZone } from '../../layout/tenant';
import { useMembers } from '../members/hooks';
import { knownActions, summarise, zonedDayStart } from './format';

type Event = Schemas['AuditEventView'];

const day = z.union([z.literal(''), z.iso.date('date')]);
const schema = z
  .object({
    actor: z.string(),
    action: z.string().trim().max(100, 'action'),
    from: day,
    to: day,
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: 'order', path: ['to'] });

type Values = z.input<typeof schema>;
type Filters = z.output<typeof schema>;

const noFilters: Filters = { actor: '', action: '', from: '', to: '' };

/** The query parameters the server takes for `filters`, with days as instants in `zone`. */
export function auditQuery(filters: Filters, zone: string) {
  return {
    ...(filters.actor ? { actor: filters.actor } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.from ? { since: zonedDayStart(filters.from, zone, 0) } : {}),
    ...(filters.to ? { until: zonedDayStart(filters.to, zone, 1) } : {}),
  };
}

function FiltersForm({
  slug,
  onApply,
}: {
  slug: string;
  onApply: (f: Filters) => void;
}) {
  const { t } = useTranslation();
  const members = useMembers(slug);
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, submitCount },
  } = useForm<Values, unknown, Filters>({ defaultValues: noFilters, resolver: zodResolver(schema) });
  const err = (m?: string) => (m ? t(`audit:errors.${m}`) : undefined);
  return (
    <form
      noValidate
      className="audit-filters"
      aria-labelledby="audit-filters-heading"
      onSubmit={handleSubmit(onApply)}
    >
      <h2 id="audit-filters-heading">{t('audit:filters.title')}</h2>
      <ErrorSummary items={errorItems(errors, err)} attempt={submitCount} />
      <div className="filter-row">
        {members.isSuccess ? (
          <Field label={t('audit:filters.actor')}>
            <select {...register('actor')}>
              <option value="">{t('audit:filters.anyone')}</option>
              {members.data.items.map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {m.name} ({m.email})
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        <Field label={t('audit:filters.action')} hint={t('audit:filters.action_hint')} error={err(errors.action?.message)}>
          <input type="text" list="audit-actions" autoComplete="off" spellCheck={false} {...register('action')} />
        </Field>
        <datalist id="audit-actions">
          {knownActions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <Field label={t('audit:filters.from')} error={err(errors.from?.message)}>
          <input type="date" {...register('from')} />
        </Field>
        <Field label={t('audit:filters.to')} error={err(errors.to?.message)}>
          <input type="date" {...register('to')} />
        </Field>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary">
          {t('audit:filters.apply')}
        </button>
        <button
          type="button"
          onClick={() => {
            reset(noFilters);
            onApply(noFilters);
          }}
        >
          {t('audit:filters.clear')}
        </button>
      </div>
    </form>
  );
}

function Verify({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const verify = useMutation({
    mutationFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}/audit/verify', { params: { path: { tenant: slug } } })),
    onSuccess: (r) => announce(resultText(r)),
  });
  const resultText = (r: Schemas['AuditVerifyResponse']) =>
    r.valid
      ? t('audit:verify.intact', { count: r.events_checked })
      : t('audit:verify.broken', { seq: r.first_broken_event ?? '?', count: r.events_checked });
  const r = verify.data;
  return (
    <section aria-labelledby="verify-heading">
      <h2 id="verify-heading">{t('audit:verify.title')}</h2>
      <p>{t('audit:verify.intro')}</p>
      <button type="button" disabled={verify.isPending} onClick={() => verify.mutate()}>
        {t('audit:verify.button')}
      </button>
      {verify.isPending ? <Loading /> : null}
      <ProblemMessage error={verify.error} />
      {r && !verify.isPending ? (
        <p className={r.valid ? 'notice' : 'problem'}>
          <span aria-hidden="true">{r.valid ? '✓ ' : '✕ '}</span>
          <strong>{resultText(r)}</strong>
          {r.valid ? null : <> {t('audit:verify.broken_hint')}</>}
        </p>
      ) : null}
    </section>
  );
}

function EventRow({ event, zone }: { event: Event; zone: string }) {
  const { t } = useTranslation();
  const summary = summarise(event.details);
  return (
    <tr>
      <td>
        <DateTime value={event.occurred_at} zone={zone} />
      </td>
      <td>{event.actor_email ?? event.actor_id ?? t('audit:system')}</td>
      <td>
        <code>{event.action}</code>
      </td>
      <td>{event.target ? <code className="audit-target">{event.target}</code> : '—'}</td>
      <td>{t(`audit:outcomes.${event.outcome}`, { defaultValue: event.outcome })}</td>
      <td>
        <details>
          <summary>{summary || t('audit:no_details')}</summary>
          <dl className="audit-details">
            <dt>{t('audit:fields.seq')}</dt>
            <dd>{event.seq}</dd>
            {event.ip ? (
              <>
                <dt>{t('audit:fields.ip')}</dt>
                <dd>{event.ip}</dd>
              </>
            ) : null}
            {event.user_agent ? (
              <>
                <dt>{t('audit:fields.user_agent')}</dt>
                <dd>{event.user_agent}</dd>
              </>
            ) : null}
            {event.request_id ? (
              <>
                <dt>{t('audit:fields.request_id')}</dt>
                <dd>{event.request_id}</dd>
              </>
            ) : null}
            <dt>{t('audit:fields.hash')}</dt>
            <dd>
              <code className="audit-hash">{event.hash}</code>
            </dd>
            <dt>{t('audit:fields.details')}</dt>
            <dd>
              <pre className="audit-json">{JSON.stringify(event.details, null, 2)}</pre>
            </dd>
          </dl>
        </details>
      </td>
    </tr>
  );
}

export default function AuditLog() {
  const { t } = useTranslation();
  const { slug, role, instanceAdmin } = useTenant();
  const zone = useTimeZone(slug);
  const allowed = can.audit(role) || instanceAdmin;
  const [filters, setFilters] = useState<Filters>(noFilters);
  const query = auditQuery(filters, zone);

  const events = useInfiniteQuery({
    queryKey: ['tenant', slug, 'audit', query],
    queryFn: ({ pageParam }) =>
      call(
        api.GET('/api/v1/tenants/{tenant}/audit', {
          params: {
            path: { tenant: slug },
            query: { ...query, limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '' as string,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled: slug !== '' && allowed,
  });

  if (!allowed) {
    return (
      <Page title={t('audit:title')}>
        <p>{t('audit:not_allowed')}</p>
      </Page>
    );
  }

  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Page title={t('audit:title')}>
      <p>{t('audit:intro', { zone })}</p>
      <Verify slug={slug} />
      <FiltersForm slug={slug} onApply={setFilters} />
      <section aria-labelledby="events-heading">
        <h2 id="events-heading">{t('audit:events')}</h2>
        {events.isPending ? <Loading /> : null}
        <ProblemMessage error={events.error} />
        {events.isSuccess && items.length === 0 ? <p>{t('audit:empty')}</p> : null}
        {items.length > 0 ? (
          <table>
            <caption className="visually-hidden">{t('audit:caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('audit:columns.time')}</th>
                <th scope="col">{t('audit:columns.actor')}</th>
                <th scope="col">{t('audit:columns.action')}</th>
                <th scope="col">{t('audit:columns.target')}</th>
                <th scope="col">{t('audit:columns.outcome')}</th>
                <th scope="col">{t('audit:columns.details')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <EventRow key={e.seq} event={e} zone={zone} />
              ))}
            </tbody>
          </table>
        ) : null}
        {events.hasNextPage ? (
          <button
            type="button"
            disabled={events.isFetchingNextPage}
            onClick={() => void events.fetchNextPage()}
          >
            {t('common:pagination.more')}
          </button>
        ) : null}
        {events.isFetchingNextPage ? <Loading /> : null}
      </section>
    </Page>
  );
}
