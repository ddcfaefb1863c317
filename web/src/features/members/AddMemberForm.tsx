// "Add a member" (owners): e-mail, name and role; a new person gets a one-time link to set a
// password, shown here to pass on (and e-mailed by the server when e-mail is set up).
import { useForm } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { ErrorSummary, errorItems } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { useAnnounce } from '../../layout/live';
import { membersKey } from './hooks';
import { roles } from './roles';
import { SetPasswordLink } from './SetPasswordLink';

const schema = z.object({
  email: z.string().trim().min(1, 'required').max(320, 'email').pipe(z.email('email')),
  name: z.string().trim().min(1, 'required').max(200, 'name_long'),
  role: z.enum(roles),
});

type Values = z.input<typeof schema>;

export function AddMemberForm({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const {
    register,
    handleSubmit,
    watch,
    reset,
    formState: { errors, isSubmitting, submitCount },
  } = useForm<Values, unknown, z.output<typeof schema>>({
    defaultValues: { email: '', name: '', role: 'editor' },
    resolver: zodResolver(schema),
  });
  const role = watch('role');
  const err = (m?: string) => (m ? t(`members:errors.${m}`) : undefined);

  const add = useMutation({
    mutationFn: (v: z.output<typeof schema>) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/members', {
          params: { path: { tenant: slug } },
          body: v,
        }),
      ),
    onSuccess: async (added) => {
      reset({ email: '', name: '', role: 'editor' });
      await client.invalidateQueries({ queryKey: membersKey(slug) });
      announce(
        t('members:add.done', { email: added.email, role: t(`common:roles.${added.role}`) }),
      );
    },
  });

  const added = add.data;
  return (
    <section aria-labelledby="add-member-heading">
      <h2 id="add-member-heading">{t('members:add.title')}</h2>
      <form noValidate onSubmit={handleSubmit((v) => add.mutateAsync(v).catch(() => undefined))}>
        <ErrorSummary items={errorItems(errors, err)} attempt={submitCount} />
        <Field label={t('members:add.email')} error={err(errors.email?.message)}>
          <input type="email" autoComplete="off" spellCheck={false} aria-required {...register('email')} />
        </Field>
        <Field label={t('members:add.name')} error={err(errors.name?.message)}>
          <input type="text" autoComplete="off" aria-required {...register('name')} />
        </Field>
        <Field label={t('members:add.role')} hint={t(`members:role_help.${role}`)}>
          <select {...register('role')}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`common:roles.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <details className="role-help">
          <summary>{t('members:add.roles_summary')}</summary>
          <dl>
            {roles.map((r) => (
              <div key={r}>
                <dt>{t(`common:roles.${r}`)}</dt>
                <dd>{t(`members:role_help.${r}`)}</dd>
              </div>
            ))}
          </dl>
        </details>
        <ProblemMessage error={add.error} />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={isSubmitting}>
            {t('members:add.submit')}
          </button>
        </div>
      </form>
      {added ? (
        <div className="notice">
          <p>
            {t('members:add.done', { email: added.email, role: t(`common:roles.${added.role}`) })}
          </p>
          {added.set_password_token ? (
            <SetPasswordLink
              token={added.set_password_token}
              label={t('members:add.link_label', { email: added.email })}
            />
          ) : (
            <p>{t('members:add.existing_user')}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
