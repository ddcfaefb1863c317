import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer, renderAt } from '../../test/render';
import { settleAnnouncer } from '../channels/test-support';
import Members from './Members';
import { me, ownerId, tenant } from '../../test/fixtures';

afterEach(async () => {
  await settleAnnouncer();
  vi.unstubAllGlobals();
});

const editorId = '0190a000-0000-7000-8000-000000000002';

const members = {
  items: [
    {
      user_id: ownerId,
      email: 'olivia@acme.example',
      name: 'Olivia Owner',
      role: 'owner',
      mfa_enabled: true,
      joined_at: '2025-01-02T09:00:00Z',
    },
    {
      user_id: editorId,
      email: 'eddie@acme.example',
      name: 'Eddie Editor',
      role: 'editor',
      mfa_enabled: false,
      joined_at: '2025-01-03T09:00:00Z',
    },
  ],
  next_cursor: null,
};

function server(role: string, extra: Record<string, unknown> = {}) {
  return fakeServer({
    'GET /api/v1/me': me(role),
    'GET /api/v1/tenants/acme': tenant,
    'GET /api/v1/tenants/acme/members': members,
    ...extra,
  });
}

const render = () => renderAt(<Members />, { path: '/t/:tenant/members', route: '/t/acme/members' });

describe('Members', () => {
  it('shows members with their role and two-factor state as text', async () => {
    vi.stubGlobal('fetch', server('editor').fetch);
    render();
    const row = (await screen.findByRole('rowheader', { name: 'Eddie Editor' })).closest('tr')!;
    expect(within(row).getByText('Editor')).toBeInTheDocument();
    expect(within(row).getByText('Off')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Add a member' })).not.toBeInTheDocument();
  });

  it('adds a member and shows the set-password link to pass on', async () => {
    const s = server('owner', {
      'POST /api/v1/tenants/acme/members': {
        status: 201,
        body: {
          user_id: '0190a000-0000-7000-8000-000000000003',
          email: 'anna@acme.example',
          role: 'approver',
          set_password_token: 'tok-123',
        },
      },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await screen.findByRole('heading', { name: 'Add a member' });
    await user.type(screen.getByRole('textbox', { name: 'E-mail address' }), 'anna@acme.example');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Anna Approver');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Role' }), 'approver');
    expect(screen.getByRole('combobox', { name: 'Role' })).toHaveAccessibleDescription(
      expect.stringContaining('approves or rejects'),
    );
    await user.click(screen.getByRole('button', { name: 'Add member' }));
    const link = await screen.findByRole('link', { name: /set-password#token=tok-123/ });
    expect(link).toHaveAttribute('href', `${window.location.origin}/set-password#token=tok-123`);
    expect(screen.getByRole('button', { name: 'Copy link' })).toBeInTheDocument();
    expect(screen.getByText(/also sent to the person by e-mail/)).toBeInTheDocument();
    expect(s.calls.find((c) => c.method === 'POST')?.body).toEqual({
      email: 'anna@acme.example',
      name: 'Anna Approver',
      role: 'approver',
    });
  });

  it('changes a role, and shows the last-owner refusal', async () => {
    const s = server('owner', {
      [`PATCH /api/v1/tenants/acme/members/${ownerId}`]: {
        status: 409,
        body: {
          status: 409,
          code: 'member.last_owner',
          title: 'Conflict',
          type: 'about:blank',
          detail: 'the tenant would have no owner',
        },
      },
      [`PATCH /api/v1/tenants/acme/members/${editorId}`]: { ...members.items[1], role: 'approver' },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.selectOptions(await screen.findByRole('combobox', { name: 'Role of Eddie Editor' }), 'approver');
    await user.click(screen.getByRole('button', { name: 'Save role of Eddie Editor' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'PATCH' && c.path.endsWith(editorId))?.body).toEqual({
        role: 'approver',
      }),
    );

    await user.selectOptions(screen.getByRole('combobox', { name: 'Role of Olivia Owner' }), 'editor');
    await user.click(screen.getByRole('button', { name: 'Save role of Olivia Owner' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('An organisation needs at least one owner.');
  });

  it('issues a new password link and removes a member after confirming', async () => {
    const s = server('owner', {
      [`POST /api/v1/tenants/acme/members/${editorId}/password-reset`]: { set_password_token: 'reset-9' },
      [`DELETE /api/v1/tenants/acme/members/${editorId}`]: { status: 204 },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'New password link Eddie Editor' }));
    expect(await screen.findByRole('link', { name: /token=reset-9/ })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Remove Eddie Editor' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove Eddie Editor?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove member' }));
    await waitFor(() =>
      expect(s.calls.some((c) => c.method === 'DELETE' && c.path.endsWith(editorId))).toBe(true),
    );
  });

  it('keeps focus on the table after removing a member or resetting two-factor sign-in', async () => {
    const annaId = '0190a000-0000-7000-8000-000000000003';
    const anna = {
      user_id: annaId,
      email: 'anna@acme.example',
      name: 'Anna Approver',
      role: 'approver',
      mfa_enabled: true,
      joined_at: '2025-01-04T09:00:00Z',
    };
    let items = [...members.items, anna];
    const base = server('owner');
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      const path = new URL(request.url, 'http://localhost').pathname;
      if (request.method === 'GET' && path === '/api/v1/tenants/acme/members') {
        return Response.json({ items, next_cursor: null });
      }
      if (request.method === 'DELETE' && path === `/api/v1/tenants/acme/members/${editorId}`) {
        items = items.filter((m) => m.user_id !== editorId);
        return new Response(null, { status: 204 });
      }
      if (request.method === 'POST' && path === `/api/v1/tenants/acme/members/${annaId}/mfa-reset`) {
        items = items.map((m) => (m.user_id === annaId ? { ...m, mfa_enabled: false } : m));
        return new Response(null, { status: 204 });
      }
      return base.fetch(request);
    });
    const user = userEvent.setup();
    render();

    // The removed row's place goes to the next row.
    await user.click(await screen.findByRole('button', { name: 'Remove Eddie Editor' }));
    await user.click(
      within(screen.getByRole('dialog', { name: 'Remove Eddie Editor?' })).getByRole('button', {
        name: 'Remove member',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('rowheader', { name: 'Eddie Editor' })).toBeNull());
    await waitFor(() => expect(screen.getByRole('combobox', { name: 'Role of Anna Approver' })).toHaveFocus());

    // The reset button leaves the row: its next action takes the focus.
    const mfa = screen.getByRole('button', { name: 'Reset two-factor sign-in Anna Approver' });
    await user.click(mfa);
    const dialog = screen.getByRole('dialog', { name: 'Reset two-factor sign-in of Anna Approver?' });
    await user.click(within(dialog).getByRole('button', { name: 'Reset two-factor sign-in' }));
    await waitFor(() => expect(mfa).not.toBeInTheDocument());
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'New password link Anna Approver' })).toHaveFocus(),
    );
  });
});
