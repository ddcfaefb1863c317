// Background jobs that gave up (dead): what they were, for which organisation, why they failed;
// the instance administrator tries one again once the cause is fixed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { DateTime } from '../../components/DateTime';
import { Loading } from '../../components/Page';
import { useAnnounce } from '../../layout/live';

type Job = Schemas['JobView'];

const deadJobsKey = ['admin', 'jobs', 'dead'] as const;

export function Jobs() {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const jobs = useQuery({
    queryKey: deadJobsKey,
    queryFn: () => call(api.GET('/api/v1/admin/jobs', { params: { query: { state: 'dead' } } })),
  });
  const retry = useMutation({
    mutationFn: (job: Job) =>
      call(api.POST('/api/v1/admin/jobs/{id}/retry', { params: { path: { id: job.id } } })),
    onSuccess: async (_, job) => {
      await client.invalidateQueries({ queryKey: deadJobsKey });
      announce(t('admin:jobs.retried', { kind: kindLabel(job.kind) }));
    },
  });
  const kindLabel = (kind: string) => t(`admin:jobs.kinds.${kind}`, { defaultValue: kind });
  const items = jobs.data?.items ?? [];
  // No organisation's zone applies here: the administrator's own.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <section aria-labelledby="jobs-heading">
      <h2 id="jobs-heading" tabIndex={-1}>
        {t('admin:jobs.title')}
      </h2>
      <p>{t('admin:jobs.intro')}</p>
      {jobs.isPending ? <Loading /> : null}
      <ProblemMessage error={jobs.error} />
      {jobs.isSuccess && items.length === 0 ? <p>{t('admin:jobs.empty')}</p> : null}
      {items.length > 0 ? (
        <table aria-labelledby="jobs-heading">
          <thead>
            <tr>
              <th scope="col">{t('admin:jobs.kind')}</th>
              <th scope="col">{t('admin:jobs.error')}</th>
              <th scope="col">{t('admin:jobs.attempts')}</th>
              <th scope="col">{t('admin:jobs.since')}</th>
              <th scope="col">{t('admin:jobs.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((j) => (
              <tr key={j.id}>
                <th scope="row">{kindLabel(j.kind)}</th>
                <td>{j.last_error ?? ''}</td>
                <td>{j.attempts}</td>
                <td>
                  <DateTime value={j.updated_at} zone={zone} />
                </td>
                <td>
                  <button
                    type="button"
                    disabled={retry.isPending && retry.variables?.id === j.id}
                    onClick={() => retry.mutate(j)}
                  >
                    {t('admin:jobs.retry')}
                    <span className="visually-hidden"> {kindLabel(j.kind)}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ProblemMessage error={retry.error} />
    </section>
  );
}
