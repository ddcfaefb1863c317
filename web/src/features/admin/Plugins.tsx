// Installed plugins: what each is and may reach, switched on or off, and the hosts the instance
// administrator approves (a plugin reaches only approved hosts).
import { Fragment, useState } from 'react';
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useFocusAfterRender } from '../../components/focus';
import { Loading } from '../../components/Page';
import { StatusBadge } from '../../components/StatusBadge';
import { useAnnounce } from '../../layout/live';
import { InstallPlugin } from './InstallPlugin';
import { pluginsKey, usePlugins } from './plugins';

type Plugin = Schemas['PluginView'];

const hostLabel = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A host name as the server accepts it for approval: `social.example.org`, `*.example.org`,
 * `localhost`. */
export function isHostPattern(value: string): boolean {
  // `localhost` too, for a local peer the server lists in plugin_local_peers.
  if (value === 'localhost') return true;
  const host = value.startsWith('*.') ? value.slice(2) : value;
  return host.length <= 253 && host.includes('.') && host.split('.').every((l) => hostLabel.test(l));
}

/** Host names typed into one field, separated by commas, spaces or new lines. */
export function splitHosts(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

const hostsSchema = z.object({
  extra: z.string().refine((text) => splitHosts(text).every(isHostPattern), 'host'),
});
type HostValues = z.input<typeof hostsSchema>;

function usePatchPlugin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: Schemas['UpdatePluginRequest'] }) =>
      call(api.PATCH('/api/v1/plugins/{id}', { params: { path: { id } }, body })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: pluginsKey });
    },
  });
}

function ApproveHosts({ plugin, onDone }: { plugin: Plugin; onDone: () => void }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const patch = usePatchPlugin();
  const wildcard = plugin.declared_hosts.includes('*');
  // Declared hosts by name, then hosts approved by name under `*` (and `*` itself, if ever
  // approved, so it can be withdrawn).
  const choices = [
    ...plugin.declared_hosts.filter((h) => h !== '*'),
    ...plugin.approved_hosts.filter((h) => !plugin.declared_hosts.includes(h) || h === '*'),
  ].filter((h, i, all) => all.indexOf(h) === i);
  const [checked, setChecked] = useState(() => new Set(plugin.approved_hosts));
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting, submitCount },
  } = useForm<HostValues>({ defaultValues: { extra: '' }, resolver: zodResolver(hostsSchema) });
  const headingId = `hosts-${plugin.id}`;
  const err = (m?: string) => (m ? t(`admin:errors.${m}`) : undefined);

  const submit = handleSubmit(async (v) => {
    const approved = [...choices.filter((h) => checked.has(h)), ...splitHosts(v.extra)].filter(
      (h, i, all) => all.indexOf(h) === i,
    );
    try {
      await patch.mutateAsync({ id: plugin.id, body: { approved_hosts: approved } });
      announce(t('admin:plugins.hosts_saved', { name: plugin.name }));
      onDone();
    } catch {
      // shown below the form
    }
  });

  return (
    <div role="group" aria-labelledby={headingId} className="plugin-hosts">
      <h3 id={headingId}>{t('admin:plugins.hosts_title', { name: plugin.name })}</h3>
      <form noValidate onSubmit={submit}>
        <ErrorSummary items={errorItems(errors, err)} attempt={submitCount} />
        {choices.length > 0 ? (
          <fieldset>
            <legend>{t('admin:plugins.hosts_legend')}</legend>
            {choices.map((h) => (
              <label key={h} className="checkbox">
                <input
                  type="checkbox"
                  checked={checked.has(h)}
                  onChange={(e) => {
                    const next = new Set(checked);
                    if (e.target.checked) next.add(h);
                    else next.delete(h);
                    setChecked(next);
                  }}
                />
                {h === '*' ? t('admin:plugins.any_host') : h}
              </label>
            ))}
          </fieldset>
        ) : null}
        {wildcard ? (
          <Field
            label={t('admin:plugins.add_hosts', { name: plugin.name })}
            hint={t('admin:plugins.add_hosts_hint')}
            error={err(errors.extra?.message)}
          >
            <input type="text" autoComplete="off" spellCheck={false} {...register('extra')} />
          </Field>
        ) : null}
        <ProblemMessage error={patch.error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting}>
            {t('admin:plugins.save_hosts')}
          </button>
          <button type="button" onClick={onDone}>
            {t('common:cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}

function HostList({ plugin }: { plugin: Plugin }) {
  const { t } = useTranslation();
  const named = plugin.approved_hosts.filter((h) => !plugin.declared_hosts.includes(h));
  if (plugin.declared_hosts.length === 0) return <>{t('admin:plugins.no_hosts')}</>;
  return (
    <ul className="host-list">
      {plugin.declared_hosts.map((h) => (
        <li key={h}>
          {h === '*' ? (
            t('admin:plugins.wildcard')
          ) : (
            <>
              <code>{h}</code>{' '}
              {plugin.approved_hosts.includes(h) ? (
                <span>
                  <span aria-hidden="true">✓ </span>
                  {t('admin:plugins.approved')}
                </span>
              ) : (
                <span>
                  <span aria-hidden="true">○ </span>
                  {t('admin:plugins.not_approved')}
                </span>
              )}
            </>
          )}
        </li>
      ))}
      {named.map((h) => (
        <li key={`named-${h}`}>
          <code>{h}</code>{' '}
          <span>
            <span aria-hidden="true">✓ </span>
            {t('admin:plugins.approved')}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Plugins() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const plugins = usePlugins();
  const toggle = usePatchPlugin();
  const [approving, setApproving] = useState<string | null>(null);
  const focusAfter = useFocusAfterRender();
  const items = plugins.data?.items ?? [];

  return (
    <>
      <section aria-labelledby="plugins-heading">
        <h2 id="plugins-heading">{t('admin:plugins.title')}</h2>
        <p>{t('admin:plugins.intro')}</p>
        {plugins.isPending ? <Loading /> : null}
        <ProblemMessage error={plugins.error} />
        <ProblemMessage error={toggle.error} />
        {plugins.isSuccess && items.length === 0 ? <p>{t('admin:plugins.empty')}</p> : null}
        {items.length > 0 ? (
          <table>
            <caption className="visually-hidden">{t('admin:plugins.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin:plugins.plugin')}</th>
                <th scope="col">{t('admin:plugins.version')}</th>
                <th scope="col">{t('admin:plugins.kind')}</th>
                <th scope="col">{t('admin:plugins.api_version')}</th>
                <th scope="col">{t('admin:plugins.capabilities')}</th>
                <th scope="col">{t('admin:plugins.status')}</th>
                <th scope="col">{t('admin:plugins.hosts')}</th>
                <th scope="col">{t('admin:plugins.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => {
                const open = approving === p.id;
                return (
                  <Fragment key={p.id}>
                    <tr>
                      <th scope="row">
                        {p.name} <code>{p.id}</code>
                      </th>
                      <td>{p.version}</td>
                      <td>{t(`admin:worlds.${p.world}`, { defaultValue: p.world })}</td>
                      <td>{p.api_version}</td>
                      <td>
                        {p.capabilities.map((c) => t(`admin:capabilities.${c}`, { defaultValue: c })).join(', ')}
                      </td>
                      <td>
                        <StatusBadge status={p.enabled ? 'active' : 'disabled'} />
                      </td>
                      <td>
                        <HostList plugin={p} />
                      </td>
                      <td>
                        <div className="row-actions">
                          <button
                            type="button"
                            disabled={toggle.isPending}
                            onClick={() =>
                              toggle.mutate(
                                { id: p.id, body: { enabled: !p.enabled } },
                                {
                                  onSuccess: (changed) =>
                                    announce(
                                      t(changed.enabled ? 'admin:plugins.enabled' : 'admin:plugins.disabled', {
                                        name: changed.name,
                                      }),
                                    ),
                                },
                              )
                            }
                          >
                            {p.enabled ? t('admin:plugins.disable') : t('admin:plugins.enable')}
                            <span className="visually-hidden"> {p.name}</span>
                          </button>
                          {p.declared_hosts.length > 0 ? (
                            <button
                              type="button"
                              id={`hosts-toggle-${p.id}`}
                              aria-expanded={open}
                              aria-controls={open ? `hosts-panel-${p.id}` : undefined}
                              onClick={() => setApproving(open ? null : p.id)}
                            >
                              {t('admin:plugins.approve_hosts')}
                              <span className="visually-hidden"> {p.name}</span>
                            </button>
                          ) : null}
                        </div>
                      </td>
                    </tr>
                    {open ? (
                      <tr id={`hosts-panel-${p.id}`}>
                        <td colSpan={7}>
                          <ApproveHosts
                            plugin={p}
                            onDone={() => {
                              setApproving(null);
                              // Back to the button that opened the panel.
                              focusAfter(`hosts-toggle-${p.id}`);
                            }}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </section>
      <InstallPlugin />
    </>
  );
}
