// The organisation's settings: its name, time zone, whether every member must use two-factor
// sign-in, and how late a scheduled post may still go out by itself. Owners (and instance
// administrators) change them; everyone else reads them. Only changed fields are sent.
import { useId, useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiProblem, api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, useTenant } from '../../auth/session';
import { DateTime } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading, Page } from '../../components/Page';
import { useAnnounce } from '../../layout/live';
import { useTenantView } from '../../layout/tenant';
import { timeZones } from '../posts/schedule';

type Tenant = Schemas['TenantView'];
type Update = Schemas['UpdateTenantRequest'];

export const MAX_GRACE = 1440;

const schema = z.object({
  name: z.string().trim().min(1, 'required').max(200, 'name_long'),
  time_zone: z.string().min(1, 'required'),
  require_mfa: z.boolean(),
  publish_grace_minutes: z
    .number({ error: 'grace_range' })
    .int('grace_range')
    .min(0, 'grace_range')
    .max(MAX_GRACE, 'grace_range'),
});

type Values = z.input<typeof schema>;
type Output = z.output<typeof schema>;
type FieldName = keyof Values;
const fieldNames: FieldName[] = ['name', 'time_zone', 'require_mfa', 'publish_grace_minutes'];

const valuesOf = (tenant: Tenant): Values => ({
  name: tenant.name,
  time_zone: tenant.settings.time_zone,
  require_mfa: tenant.settings.require_mfa,
  publish_grace_minutes: tenant.settings.publish_grace_minutes,
});

/** The fields that differ from what the server holds: nothing else is sent. */
function changes(v: Output, tenant: Tenant): Update {
  const body: Update = {};
  if (v.name !== tenant.name) body.name = v.name;
  if (v.time_zone !== tenant.settings.time_zone) body.time_zone = v.time_zone;
  if (v.require_mfa !== tenant.settings.require_mfa) body.require_mfa = v.require_mfa;
  if (v.publish_grace_minutes !== tenant.settings.publish_grace_minutes) {
    body.publish_grace_minutes = v.publish_grace_minutes;
  }
  return body;
}

/** The server's problem without the items shown beside their fields, for the summary. */
function withoutFieldItems(error: unknown): unknown {
  if (!(error instanceof ApiProblem)) return error;
  const rest = error.items.filter((i) => !i.field || !fieldNames.includes(i.field as FieldName));
  if (rest.length === error.items.length) return error;
  return new ApiProblem(error.status, { code: error.code, detail: error.detail, errors: rest });
}

function fieldItems(error: unknown, field: FieldName): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  const messages = error.items.filter((i) => i.field === field).map((i) => i.message);
  return messages.length > 0 ? [...new Set(messages)].join(' ') : undefined;
}

function Facts({ tenant, all }: { tenant: Tenant; all: boolean }) {
  const { t } = useTranslation();
  const zone = tenant.settings.time_zone;
  return (
    <dl className="facts">
      {all ? (
        <>
          <dt>{t('settings:name')}</dt>
          <dd>{tenant.name}</dd>
        </>
      ) : null}
      <dt>{t('settings:slug')}</dt>
      <dd>
        <code>{tenant.slug}</code>
      </dd>
      <dt>{t('settings:level')}</dt>
      <dd>{t(`settings:levels.${tenant.level}`, { defaultValue: tenant.level })}</dd>
      {tenant.parent ? (
        <>
          <dt>{t('settings:parent')}</dt>
          <dd>
            <code>{tenant.parent}</code>
          </dd>
        </>
      ) : null}
      <dt>{t('settings:created_at')}</dt>
      <dd>
        <DateTime value={tenant.created_at} zone={zone} />
      </dd>
      {all ? (
        <>
          <dt>{t('settings:time_zone')}</dt>
          <dd>{zone}</dd>
          <dt>{t('settings:require_mfa')}</dt>
          <dd>{tenant.settings.require_mfa ? t('common:yes') : t('common:no')}</dd>
          <dt>{t('settings:grace')}</dt>
          <dd>
            {t('settings:grace_value', { count: tenant.settings.publish_grace_minutes })}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Editor({ slug, tenant }: { slug: string; tenant: Tenant }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const mfaId = useId();
  const [notice, setNotice] = useState<'saved' | 'unchanged' | null>(null);
  const [zones] = useState(() => timeZones(tenant.settings.time_zone));
  const {
    register,
    handleSubmit,
    reset,
    watch,
    formState: { errors, isSubmitting, isDirty, submitCount },
  } = useForm<Values, unknown, Output>({
    defaultValues: valuesOf(tenant),
    resolver: zodResolver(schema),
  });
  const zone = watch('time_zone');
  const zoneList = zone && !zones.includes(zone) ? [zone, ...zones] : zones;
  const mfaOn = watch('require_mfa');

  const save = useMutation({
    mutationFn: (body: Update) =>
      call(api.PATCH('/api/v1/tenants/{tenant}', { params: { path: { tenant: slug } }, body })),
    onSuccess: async (updated) => {
      client.setQueryData(['tenant', slug, 'view'], updated);
      reset(valuesOf(updated));
      setNotice('saved');
      announce(t('settings:saved'));
      // Times on every screen of the tenant follow its time zone: refresh them all.
      await Promise.all([
        client.invalidateQueries({ queryKey: ['tenant', slug] }),
        client.invalidateQueries({ queryKey: ['tenants'] }),
      ]);
    },
  });

  const submit = async (v: Output) => {
    setNotice(null);
    save.reset();
    const body = changes(v, tenant);
    if (Object.keys(body).length === 0) {
      setNotice('unchanged');
      announce(t('settings:unchanged'));
      return;
    }
    await save.mutateAsync(body).catch(() => undefined);
  };

  const err = (field: FieldName) => {
    const m = errors[field]?.message;
    return m ? t(`settings:errors.${m}`) : fieldItems(save.error, field);
  };
  const mfaError = err('require_mfa');

  return (
    <form noValidate onSubmit={handleSubmit(submit)}>
      <ErrorSummary items={errorItems(errors, (m) => t(`settings:errors.${m}`))} attempt={submitCount} />
      <Field label={t('settings:name')} hint={t('settings:name_hint')} error={err('name')}>
        <input type="text" autoComplete="off" aria-required {...register('name')} />
      </Field>
      <Field label={t('settings:time_zone')} hint={t('settings:time_zone_hint')} error={err('time_zone')}>
        <select {...register('time_zone')}>
          {zoneList.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </Field>
      <div className={mfaError ? 'field field-error' : 'field'}>
        <div className="checkbox">
          <input
            type="checkbox"
            id={mfaId}
            aria-describedby={`${mfaId}-hint${mfaError ? ` ${mfaId}-error` : ''}`}
            aria-invalid={mfaError ? true : undefined}
            {...register('require_mfa')}
          />
          <label htmlFor={mfaId}>{t('settings:require_mfa')}</label>
        </div>
        <p className="hint" id={`${mfaId}-hint`}>
          {t('settings:require_mfa_hint')}
        </p>
        <div role="status">
          {!mfaOn && tenant.settings.require_mfa ? (
            <p className="attention">{t('settings:require_mfa_off_warning')}</p>
          ) : null}
        </div>
        {mfaError ? (
          <p className="error-text" id={`${mfaId}-error`}>
            <span aria-hidden="true">⚠ </span>
            {mfaError}
          </p>
        ) : null}
      </div>
      <Field label={t('settings:grace')} hint={t('settings:grace_hint')} error={err('publish_grace_minutes')}>
        <input
          type="number"
          min={0}
          max={MAX_GRACE}
          step={1}
          inputMode="numeric"
          aria-required
          {...register('publish_grace_minutes', { valueAsNumber: true })}
        />
      </Field>
      <ProblemMessage error={withoutFieldItems(save.error)} />
      {notice ? <p className="notice">{t(`settings:${notice}`)}</p> : null}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={isSubmitting}>
          {t('settings:save')}
        </button>
        {isDirty ? (
          <button
            type="button"
            onClick={() => {
              reset(valuesOf(tenant));
              save.reset();
              setNotice(null);
            }}
          >
            {t('settings:undo')}
          </button>
        ) : null}
      </div>
    </form>
  );
}

export default function TenantSettings() {
  const { t } = useTranslation();
  const { slug, role, instanceAdmin } = useTenant();
  const manage = can.manage(role) || instanceAdmin;
  const view = useTenantView(slug);
  const tenant = view.data;
  return (
    <Page title={t('settings:title')}>
      <p className="page-note">{t('settings:intro')}</p>
      {view.isPending && slug !== '' ? <Loading /> : null}
      <ProblemMessage error={view.error} />
      {tenant ? (
        <>
          <section aria-labelledby="settings-organisation-heading">
            <h2 id="settings-organisation-heading">{t('settings:organisation_title')}</h2>
            <Facts tenant={tenant} all={!manage} />
            {manage ? null : <p className="hint">{t('settings:read_only')}</p>}
          </section>
          {manage ? (
            <section aria-labelledby="settings-edit-heading">
              <h2 id="settings-edit-heading">{t('settings:edit_title')}</h2>
              <Editor key={tenant.id} slug={slug} tenant={tenant} />
            </section>
          ) : null}
        </>
      ) : null}
    </Page>
  );
}
