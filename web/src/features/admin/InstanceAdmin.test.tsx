import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer, renderAt } from '../../test/render';
import { settleAnnouncer } from '../channels/test-support';
import InstanceAdmin from './InstanceAdmin';
import { isHostPattern, splitHosts } from './Plugins';

afterEach(async () => {
  await settleAnnouncer();
  vi.unstubAllGlobals();
});

const me = (admin: boolean) => ({
  id: '0190a000-0000-7000-8000-000000000001',
  email: 'admin@example.gov',
  name: 'Ada Admin',
  instance_admin: admin,
  mfa_enabled: true,
  memberships: [{ tenant: 'province', tenant_id: '0190a000-0000-7000-8000-0000000000a1', role: 'owner' }],
});

const tenantView = (slug: string, name: string, parent: string | null = null) => ({
  id: `0190a000-0000-7000-8000-0000000000${slug === 'province' ? 'a1' : 'a2'}`,
  slug,
  name,
  level: slug === 'province' ? 'provincial' : 'municipal',
  parent,
  settings: { require_mfa: true, time_zone: 'Europe/Amsterdam', publish_grace_minutes: 30 },
  created_at: '2025-01-01T00:00:00Z',
});

const plugin = (over: Record<string, unknown>) => ({
  id: 'mastodon',
  name: 'Mastodon',
  version: '0.1.0',
  world: 'connector',
  api_version: '0.2.0',
  capabilities: ['publishing'],
  declared_hosts: ['*'],
  approved_hosts: ['social.example.org'],
  enabled: true,
  sha256: 'ab'.repeat(32),
  installed_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  ...over,
});

const mastodon = plugin({ capabilities: ['publishing', 'inbound', 'replying', 'metrics', 'searching'] });

const telegram = plugin({
  id: 'telegram',
  name: 'Telegram',
  declared_hosts: ['api.telegram.org'],
  approved_hosts: [],
  enabled: false,
});

function server(extra: Record<string, unknown> = {}) {
  return fakeServer({
    'GET /api/v1/me': me(true),
    'GET /api/v1/tenants': {
      items: [tenantView('province', 'Province of Utrecht'), tenantView('town', 'Town of Zeist', 'province')],
      next_cursor: null,
    },
    'GET /api/v1/plugins': { items: [mastodon, telegram], next_cursor: null },
    'GET /api/v1/admin/jobs': { items: [], next_cursor: null },
    ...extra,
  });
}

const render = () => renderAt(<InstanceAdmin />, { path: '/admin', route: '/admin' });

describe('InstanceAdmin', () => {
  it('is refused to people who are not instance administrators', async () => {
    vi.stubGlobal('fetch', fakeServer({ 'GET /api/v1/me': me(false) }).fetch);
    render();
    expect(await screen.findByText('Only instance administrators may use this page.')).toBeInTheDocument();
  });

  it('lists tenants, linking those the admin belongs to, and creates one', async () => {
    const s = server({
      'POST /api/v1/tenants': { status: 201, body: tenantView('amersfoort', 'Amersfoort', 'province') },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    expect(await screen.findByRole('link', { name: 'Province of Utrecht' })).toHaveAttribute('href', '/t/province');
    expect(screen.queryByRole('link', { name: 'Town of Zeist' })).not.toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Short name' }), 'amersfoort');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'Amersfoort');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Level of government' }), 'municipal');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Part of' }), 'province');
    await user.click(screen.getByRole('button', { name: 'Create organisation' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/tenants')?.body).toEqual({
        slug: 'amersfoort',
        name: 'Amersfoort',
        level: 'municipal',
        parent: 'province',
      }),
    );
    expect(await screen.findByRole('link', { name: 'Add the first owner of Amersfoort' })).toHaveAttribute(
      'href',
      '/t/amersfoort/members',
    );
  });

  it('lists the background jobs that gave up and tries one again', async () => {
    const id = '0190a000-0000-7000-8000-0000000000d1';
    const dead = {
      id,
      kind: 'channel.sync',
      tenant_id: '0190a000-0000-7000-8000-0000000000a2',
      state: 'dead',
      due_at: '2025-03-01T10:00:00Z',
      attempts: 8,
      last_error: 'the peer answered 400 Bad Request',
      updated_at: '2025-03-01T10:05:00Z',
    };
    const s = server({
      'GET /api/v1/admin/jobs': { items: [dead], next_cursor: null },
      [`POST /api/v1/admin/jobs/${id}/retry`]: { ...dead, state: 'queued', attempts: 0 },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const table = await screen.findByRole('table', { name: 'Background jobs that gave up' });
    const row = within(table).getByRole('rowheader', { name: 'Reading a channel' }).closest('tr')!;
    expect(within(row).getByText('the peer answered 400 Bad Request')).toBeInTheDocument();
    expect(s.calls.some((c) => c.path === '/api/v1/admin/jobs?state=dead')).toBe(true);
    await user.click(within(row).getByRole('button', { name: 'Try again Reading a channel' }));
    await waitFor(() =>
      expect(s.calls.some((c) => c.method === 'POST' && c.path === `/api/v1/admin/jobs/${id}/retry`)).toBe(true),
    );
    expect(await screen.findByText('Reading a channel runs again now.')).toBeInTheDocument();
  });

  it('refuses a bad short name without sending', async () => {
    const s = server();
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.type(await screen.findByRole('textbox', { name: 'Short name' }), 'Bad Name');
    await user.type(screen.getByRole('textbox', { name: 'Name' }), 'x');
    await user.click(screen.getByRole('button', { name: 'Create organisation' }));
    // Announced once in the form's summary, and tied to the field.
    expect(await screen.findByRole('alert')).toHaveTextContent(/Short name: Use 2 to 63 lowercase letters/);
    expect(screen.getByRole('textbox', { name: 'Short name' })).toHaveAccessibleDescription(
      /Use 2 to 63 lowercase letters/,
    );
    expect(s.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('says what each connector can do, from its component', async () => {
    vi.stubGlobal('fetch', server().fetch);
    render();
    const row = (await screen.findByRole('rowheader', { name: /Mastodon/ })).closest('tr');
    expect(row).not.toBeNull();
    expect(row).toHaveTextContent(
      'publish, read mentions and messages, reply and re-share, count reactions, search',
    );
  });

  it('approves a declared host with the right PATCH body', async () => {
    const s = server({
      'PATCH /api/v1/plugins/telegram': { ...telegram, approved_hosts: ['api.telegram.org'] },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const toggle = await screen.findByRole('button', { name: 'Approve hosts Telegram' });
    await user.click(toggle);
    const group = screen.getByRole('group', { name: 'Hosts Telegram may reach' });
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(group.closest('tr')).toHaveAttribute('id', toggle.getAttribute('aria-controls'));
    await user.click(within(group).getByRole('checkbox', { name: 'api.telegram.org' }));
    await user.click(within(group).getByRole('button', { name: 'Save approved hosts' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'PATCH')).toEqual(
        expect.objectContaining({
          path: '/api/v1/plugins/telegram',
          body: { approved_hosts: ['api.telegram.org'] },
        }),
      ),
    );
    // The panel closes and focus goes back to the button that opened it.
    await waitFor(() => expect(screen.queryByRole('group', { name: 'Hosts Telegram may reach' })).toBeNull());
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await waitFor(() => expect(toggle).toHaveFocus());
  });

  it('adds host names for a plugin that declares any host, keeping those approved', async () => {
    const s = server({
      'PATCH /api/v1/plugins/mastodon': plugin({ approved_hosts: ['social.example.org', 'toot.example.gov'] }),
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Approve hosts Mastodon' }));
    const group = screen.getByRole('group', { name: 'Hosts Mastodon may reach' });
    expect(within(group).getByRole('checkbox', { name: 'social.example.org' })).toBeChecked();
    await user.type(within(group).getByRole('textbox', { name: 'Approve more hosts for Mastodon' }), 'Toot.example.gov');
    await user.click(within(group).getByRole('button', { name: 'Save approved hosts' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'PATCH')?.body).toEqual({
        approved_hosts: ['social.example.org', 'toot.example.gov'],
      }),
    );
  });

  it('enables a plugin', async () => {
    const s = server({ 'PATCH /api/v1/plugins/telegram': { ...telegram, enabled: true } });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Enable Telegram' }));
    await waitFor(() => expect(s.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ enabled: true }));
  });

  it('uploads a plugin as multipart with both files', async () => {
    const s = server({
      'POST /api/v1/plugins': {
        status: 201,
        body: { plugin: plugin({ id: 'matrix', name: 'Matrix', enabled: false }), upgrade: false, network: 'matrix' },
      },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.upload(
      await screen.findByLabelText('Component (plugin.wasm)'),
      new File([new Uint8Array([0, 97, 115, 109])], 'matrix.wasm', { type: 'application/wasm' }),
    );
    await user.upload(
      screen.getByLabelText('Manifest (plugin.toml)'),
      new File(['id = "matrix"'], 'plugin.toml', { type: 'text/plain' }),
    );
    await user.click(screen.getByRole('button', { name: 'Install plugin' }));
    expect(await screen.findByText(/Installed Matrix 0\.1\.0/)).toBeInTheDocument();
    const sent = s.calls.find((c) => c.method === 'POST' && c.path === '/api/v1/plugins');
    expect(String(sent?.body)).toContain('name="plugin.wasm"');
    expect(String(sent?.body)).toContain('name="plugin.toml"');
  });
});

describe('host names', () => {
  it('accepts host names, subdomain patterns and localhost only', () => {
    expect(splitHosts(' a.example.org, B.example.org\nc.example.org ')).toEqual([
      'a.example.org',
      'b.example.org',
      'c.example.org',
    ]);
    expect(isHostPattern('social.example.org')).toBe(true);
    expect(isHostPattern('*.example.gov')).toBe(true);
    expect(isHostPattern('*')).toBe(false);
    // A local peer's host, as the server takes it (plugin_local_peers).
    expect(isHostPattern('localhost')).toBe(true);
    expect(isHostPattern('intranet')).toBe(false);
    expect(isHostPattern('https://x.example.org')).toBe(false);
  });
});
