// The instance's tenants (agencies) and the form that creates one.
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { useSession } from '../../auth/session';
import { DateTime } from '../../components/DateTime';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loading } from '../../components/Page';
import { useAnnounce } from '../../layout/live';

type Tenant = Schemas['TenantView'];

export const levels = ['municipal', 'provincial', 'state', 'federal', 'other'] as const;
export const tenantsKey = ['tenants'] as const;

const slugPattern = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;

const schema = z.object({
  slug: z
    .string()
    .trim()
    .regex(slugPattern, 'slug')
    .refine((s) => s !== 'instance', 'slug_reserved'),
  name: z.string().trim().min(1, 'required').max(200, 'name_long'),
  level: z.enum(levels),
  parent: z.string(),
});

type Values = z.input<typeof schema>;
const empty: Values = { slug: '', name: '', level: 'municipal', parent: '' };

/** Every tenant (all pages). */
export function useTenants() {
  return useQuery({
    queryKey: tenantsKey,
    queryFn: async (): Promise<Tenant[]> => {
      const items: Tenant[] = [];
      let cursor: string | undefined;
      do {
        const page = await call(
          api.GET('/api/v1/tenants', {
            params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } },
          }),
        );
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return items;
    },
  });
}

function CreateTenant({ tenants }: { tenants: Tenant[] }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const {
    register,
    handleSubmit,
    reset,
    formState: { errors, isSubmitting, submitCount },
  } = useForm<Values, unknown, z.output<typeof schema>>({
    defaultValues: empty,
    resolver: zodResolver(schema),
  });
  const err = (m?: string) => (m ? t(`admin:errors.${m}`) : undefined);
  const create = useMutation({
    mutationFn: (v: z.output<typeof schema>) =>
      call(
        api.POST('/api/v1/tenants', {
          body: {
            slug: v.slug,
            name: v.name,
            level: v.level,
            ...(v.parent ? { parent: v.parent } : {}),
          },
        }),
      ),
    onSuccess: async (tenant) => {
      reset(empty);
      await client.invalidateQueries({ queryKey: tenantsKey });
      announce(t('admin:tenants.created', { name: tenant.name }));
    },
  });
  const created = create.data;
  return (
    <section aria-labelledby="new-tenant-heading">
      <h2 id="new-tenant-heading">{t('admin:tenants.new_title')}</h2>
      <form noValidate onSubmit={handleSubmit((v) => create.mutateAsync(v).catch(() => undefined))}>
        <ErrorSummary items={errorItems(errors, err)} attempt={submitCount} />
        <Field
          label={t('admin:tenants.slug')}
          hint={t('admin:tenants.slug_hint')}
          error={err(errors.slug?.message)}
        >
          <input type="text" autoComplete="off" spellCheck={false} aria-required {...register('slug')} />
        </Field>
        <Field label={t('admin:tenants.name')} error={err(errors.name?.message)}>
          <input type="text" autoComplete="off" aria-required {...register('name')} />
        </Field>
        <Field label={t('admin:tenants.level')}>
          <select {...register('level')}>
            {levels.map((l) => (
              <option key={l} value={l}>
                {t(`admin:levels.${l}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('admin:tenants.parent')} hint={t('admin:tenants.parent_hint')}>
          <select {...register('parent')}>
            <option value="">{t('admin:tenants.no_parent')}</option>
            {tenants.map((p) => (
              <option key={p.slug} value={p.slug}>
                {p.name} ({p.slug})
              </option>
            ))}
          </select>
        </Field>
        <ProblemMessage error={create.error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting}>
            {t('admin:tenants.create')}
          </button>
        </div>
      </form>
      {created ? (
        <div className="notice">
          <p>{t('admin:tenants.created', { name: created.name })}</p>
          <p>
            <Link to={`/t/${created.slug}/members`}>
              {t('admin:tenants.add_owner', { name: created.name })}
            </Link>
          </p>
        </div>
      ) : null}
    </section>
  );
}

export function Tenants() {
  const { t } = useTranslation();
  const { me } = useSession();
  const tenants = useTenants();
  const memberOf = new Set(me?.memberships.map((m) => m.tenant) ?? []);
  const items = tenants.data ?? [];
  const nameOf = (slug: string | null | undefined) =>
    slug ? (items.find((x) => x.slug === slug)?.name ?? slug) : '—';
  return (
    <>
      <section aria-labelledby="tenants-heading">
        <h2 id="tenants-heading">{t('admin:tenants.title')}</h2>
        {tenants.isPending ? <Loading /> : null}
        <ProblemMessage error={tenants.error} />
        {tenants.isSuccess && items.length === 0 ? <p>{t('admin:tenants.empty')}</p> : null}
        {items.length > 0 ? (
          <table>
            <caption className="visually-hidden">{t('admin:tenants.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin:tenants.name')}</th>
                <th scope="col">{t('admin:tenants.slug')}</th>
                <th scope="col">{t('admin:tenants.level')}</th>
                <th scope="col">{t('admin:tenants.parent')}</th>
                <th scope="col">{t('admin:tenants.time_zone')}</th>
                <th scope="col">{t('admin:tenants.created_at')}</th>
                <th scope="col">{t('admin:tenants.members')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <tr key={x.id}>
                  <th scope="row">
                    {memberOf.has(x.slug) ? <Link to={`/t/${x.slug}`}>{x.name}</Link> : x.name}
                  </th>
                  <td>
                    <code>{x.slug}</code>
                  </td>
                  <td>{t(`admin:levels.${x.level}`)}</td>
                  <td>{nameOf(x.parent)}</td>
                  <td>{x.settings.time_zone}</td>
                  <td>
                    <DateTime value={x.created_at} zone={x.settings.time_zone} />
                  </td>
                  <td>
                    <Link to={`/t/${x.slug}/members`}>
                      {t('admin:tenants.members_link')}
                      <span className="visually-hidden"> {x.name}</span>
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
      <CreateTenant tenants={items} />
    </>
  );
}
