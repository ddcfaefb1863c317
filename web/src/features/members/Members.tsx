// The tenant's members and their roles. Owners add people, change roles, remove members, reset
// a lost second factor and issue a new set-password link.
import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, call, type Schemas } from '../../api/client';
import { ProblemMessage } from '../../api/problem';
import { can, meKey, useSession, useTenant, type Role } from '../../auth/session';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DateTime } from '../../components/DateTime';
import { firstControlIn, PAGE_TITLE, useFocusAfterRender } from '../../components/focus';
import { Loading, Page } from '../../components/Page';
import { useAnnounce } from '../../layout/live';
import { useTimeZone } from '../../layout/tenant';
import { AddMemberForm } from './AddMemberForm';
import { membersKey, useMembers } from './hooks';
import { roles } from './roles';
import { SetPasswordLink } from './SetPasswordLink';

type Member = Schemas['MemberView'];

function RoleCell({ slug, member }: { slug: string; member: Member }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const client = useQueryClient();
  const [role, setRole] = useState<Role>(member.role);
  const selectId = `role-${member.user_id}`;
  const save = useMutation({
    mutationFn: (next: Role) =>
      call(
        api.PATCH('/api/v1/tenants/{tenant}/members/{user_id}', {
          params: { path: { tenant: slug, user_id: member.user_id } },
          body: { role: next },
        }),
      ),
    onSuccess: async (changed) => {
      await client.invalidateQueries({ queryKey: membersKey(slug) });
      // One's own role decides the menu and what each screen offers.
      await client.invalidateQueries({ queryKey: meKey });
      announce(
        t('members:role.done', { name: changed.name, role: t(`common:roles.${changed.role}`) }),
      );
    },
    onError: () => setRole(member.role),
  });
  return (
    <td>
      <div className="row-actions">
        <label htmlFor={selectId} className="visually-hidden">
          {t('members:role.label', { name: member.name })}
        </label>
        <select id={selectId} value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`common:roles.${r}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          disabled={role === member.role || save.isPending}
          onClick={() => save.mutate(role)}
        >
          {t('common:save')}
          <span className="visually-hidden"> {t('members:role.save_suffix', { name: member.name })}</span>
        </button>
      </div>
      <ProblemMessage error={save.error} />
    </td>
  );
}

type Pending = { kind: 'remove' | 'mfa'; member: Member } | null;

export default function Members() {
  const { t } = useTranslation();
  const { slug, role, instanceAdmin } = useTenant();
  const { me } = useSession();
  const zone = useTimeZone(slug);
  const announce = useAnnounce();
  const client = useQueryClient();
  // Instance administrators manage the members of every tenant (to invite its first owner).
  const manage = can.manage(role) || instanceAdmin;
  const members = useMembers(slug);
  const [pending, setPending] = useState<Pending>(null);
  const [reset, setReset] = useState<{ member: Member; token: string } | null>(null);
  // The outcome of the last action on a row; a new action clears it.
  const [actionError, setActionError] = useState<unknown>(null);
  const focusAfter = useFocusAfterRender();
  const track = { onMutate: () => setActionError(null), onError: (e: unknown) => setActionError(e) };

  const remove = useMutation({
    ...track,
    mutationFn: (m: Member) =>
      call(
        api.DELETE('/api/v1/tenants/{tenant}/members/{user_id}', {
          params: { path: { tenant: slug, user_id: m.user_id } },
        }),
      ),
    onSuccess: async (_, m) => {
      await client.invalidateQueries({ queryKey: membersKey(slug) });
      announce(t('members:remove.done', { name: m.name }));
    },
  });

  const resetMfa = useMutation({
    ...track,
    mutationFn: (m: Member) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/members/{user_id}/mfa-reset', {
          params: { path: { tenant: slug, user_id: m.user_id } },
        }),
      ),
    onSuccess: async (_, m) => {
      await client.invalidateQueries({ queryKey: membersKey(slug) });
      announce(t('members:mfa_reset.done', { name: m.name }));
    },
  });

  const resetPassword = useMutation({
    ...track,
    mutationFn: (m: Member) =>
      call(
        api.POST('/api/v1/tenants/{tenant}/members/{user_id}/password-reset', {
          params: { path: { tenant: slug, user_id: m.user_id } },
        }),
      ),
    onSuccess: (answer, m) => {
      setReset({ member: m, token: answer.set_password_token });
      announce(t('members:password_reset.done', { name: m.name }));
    },
  });

  const items = members.data?.items ?? [];

  return (
    <Page title={t('members:title')}>
      {members.isPending ? <Loading /> : null}
      <ProblemMessage error={members.error} />
      <ProblemMessage error={actionError} />
      {reset ? (
        <div className="notice">
          <SetPasswordLink
            token={reset.token}
            label={t('members:password_reset.link_label', { name: reset.member.name })}
          />
        </div>
      ) : null}
      {items.length > 0 ? (
        <table>
          <caption className="visually-hidden">{t('members:table.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('members:table.name')}</th>
              <th scope="col">{t('members:table.email')}</th>
              <th scope="col">{t('members:table.role')}</th>
              <th scope="col">{t('members:table.mfa')}</th>
              <th scope="col">{t('members:table.joined')}</th>
              {manage ? <th scope="col">{t('members:table.actions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((m) => (
              <tr key={m.user_id} data-member={m.user_id}>
                <th scope="row">
                  {m.name}
                  {m.user_id === me?.id ? <> {t('members:you')}</> : null}
                </th>
                <td>{m.email}</td>
                {manage ? (
                  <RoleCell key={`${m.user_id}-${m.role}`} slug={slug} member={m} />
                ) : (
                  <td>{t(`common:roles.${m.role}`)}</td>
                )}
                <td>{m.mfa_enabled ? t('members:mfa_on') : t('members:mfa_off')}</td>
                <td>
                  <DateTime value={m.joined_at} zone={zone} />
                </td>
                {manage ? (
                  <td>
                    <div className="row-actions">
                      {m.mfa_enabled ? (
                        <button type="button" onClick={() => setPending({ kind: 'mfa', member: m })}>
                          {t('members:mfa_reset.button')}
                          <span className="visually-hidden"> {m.name}</span>
                        </button>
                      ) : null}
                      <button
                        type="button"
                        id={`password-reset-${m.user_id}`}
                        disabled={resetPassword.isPending}
                        onClick={() => resetPassword.mutate(m)}
                      >
                        {t('members:password_reset.button')}
                        <span className="visually-hidden"> {m.name}</span>
                      </button>
                      <button type="button" onClick={() => setPending({ kind: 'remove', member: m })}>
                        {t('members:remove.button')}
                        <span className="visually-hidden"> {m.name}</span>
                      </button>
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {manage ? <AddMemberForm slug={slug} /> : null}
      <ConfirmDialog
        open={pending !== null}
        title={
          pending?.kind === 'mfa'
            ? t('members:mfa_reset.title', { name: pending.member.name })
            : t('members:remove.title', { name: pending?.member.name ?? '' })
        }
        confirmLabel={
          pending?.kind === 'mfa' ? t('members:mfa_reset.confirm') : t('members:remove.confirm')
        }
        danger
        onCancel={() => setPending(null)}
        onConfirm={() => {
          if (pending?.kind === 'mfa') {
            // The reset button leaves the row: focus goes to the row's next action.
            const id = pending.member.user_id;
            resetMfa.mutate(pending.member, {
              onSuccess: () => focusAfter(`password-reset-${id}`, PAGE_TITLE),
            });
          } else if (pending) {
            // The row leaves the table: focus goes to the next row (or the one before).
            const row = document.querySelector(`tr[data-member="${pending.member.user_id}"]`);
            const next = firstControlIn(row?.nextElementSibling) ?? firstControlIn(row?.previousElementSibling);
            remove.mutate(pending.member, { onSuccess: () => focusAfter(next, PAGE_TITLE) });
          }
          setPending(null);
        }}
      >
        <p>{pending?.kind === 'mfa' ? t('members:mfa_reset.text') : t('members:remove.text')}</p>
      </ConfirmDialog>
    </Page>
  );
}
