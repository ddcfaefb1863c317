import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer, renderAt } from '../../test/render';
import { me, tenant } from '../../test/fixtures';
import i18n from '../../i18n';
import Channels from './Channels';
import { settleAnnouncer } from './test-support';

const plugin = (id: string, name: string, enabled = true, manifest: Record<string, unknown> = {}) => ({
  id,
  name,
  version: '0.1.0',
  world: 'connector',
  api_version: '0.2.0',
  capabilities: ['publishing'],
  declared_hosts: ['*'],
  approved_hosts: [],
  enabled,
  sha256: 'ab'.repeat(32),
  installed_at: '2025-01-01T00:00:00Z',
  updated_at: '2025-01-01T00:00:00Z',
  settings: [],
  auth: { kind: 'none', credential: null },
  ...manifest,
});

// Mastodon's manifest labels its settings in English; the UI's own table, translated, wins.
const mastodonManifest = {
  settings: [{ key: 'instance_url', label: 'Instance URL', kind: 'url', required: true, default: null }],
  auth: { kind: 'oauth2', credential: 'access_token' },
};

const channel = (over: Record<string, unknown>) => ({
  id: '0190a000-0000-7000-8000-0000000000c1',
  plugin: 'telegram',
  name: 'Town hall on Telegram',
  settings: {},
  status: 'active',
  has_credentials: true,
  created_at: '2025-02-01T10:00:00Z',
  ...over,
});

function server(role: string, channels: unknown[], extra: Record<string, unknown> = {}) {
  return fakeServer({
    'GET /api/v1/me': me(role),
    'GET /api/v1/tenants/acme': tenant,
    'GET /api/v1/tenants/acme/channels': { items: channels, next_cursor: null },
    'GET /api/v1/plugins': {
      items: [
        plugin('mastodon', 'Mastodon', true, mastodonManifest),
        plugin('telegram', 'Telegram', true, {
          settings: [{ key: 'chat_id', label: 'Chat id', kind: 'string', required: true, default: null }],
          auth: { kind: 'token', credential: 'bot_token' },
        }),
        plugin('bluesky', 'Bluesky', false),
      ],
      next_cursor: null,
    },
    ...extra,
  });
}

const render = () => renderAt(<Channels />, { path: '/t/:tenant/channels', route: '/t/acme/channels' });

afterEach(async () => {
  await settleAnnouncer();
  vi.unstubAllGlobals();
});

describe('Channels', () => {
  it('lists channels with status, credentials and the feed address', async () => {
    const s = server('editor', [
      channel({ status: 'needs_reconnect', has_credentials: false }),
      channel({ id: '0190a000-0000-7000-8000-0000000000f1', plugin: 'feed', name: 'Website news', settings: { title: 'News' } }),
    ]);
    vi.stubGlobal('fetch', s.fetch);
    render();
    const row = (await screen.findByRole('rowheader', { name: /Town hall on Telegram/ })).closest('tr')!;
    expect(within(row).getByText('Needs reconnecting')).toBeInTheDocument();
    expect(within(row).getByText('None')).toBeInTheDocument();
    const feed = screen.getByRole('link', { name: /\/feeds\/0190a000-0000-7000-8000-0000000000f1$/ });
    expect(feed).toHaveAttribute('href', '/feeds/0190a000-0000-7000-8000-0000000000f1');
    // Not an owner: nothing to change.
    expect(screen.queryByRole('heading', { name: 'Connect a channel' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /Disconnect/ })).not.toBeInTheDocument();
  });

  it('shows when each channel was last read and why it failed, and reads one now', async () => {
    const id = '0190a000-0000-7000-8000-0000000000c1';
    const s = server('editor', [
      channel({
        synced_at: '2025-02-03T08:30:00Z',
        sync_error: 'the peer answered 400 Bad Request',
        reads_network: true,
      }),
      channel({ id: '0190a000-0000-7000-8000-0000000000c2', name: 'New channel', synced_at: null, reads_network: true }),
      channel({ id: '0190a000-0000-7000-8000-0000000000c3', name: 'Old plugin', reads_network: false }),
    ], {
      [`POST /api/v1/tenants/acme/channels/${id}/sync`]: {
        status: 202,
        body: { channel_id: id, requested_at: '2025-02-03T09:00:00Z' },
      },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const row = (await screen.findByRole('rowheader', { name: /Town hall on Telegram/ })).closest('tr')!;
    expect(within(row).getByText(/Reading failed: the peer answered 400 Bad Request/)).toBeInTheDocument();
    const fresh = screen.getByRole('rowheader', { name: /New channel/ }).closest('tr')!;
    expect(within(fresh).getByText('Not yet')).toBeInTheDocument();
    // A connector that does not read its network offers no reading.
    const old = screen.getByRole('rowheader', { name: /Old plugin/ }).closest('tr')!;
    expect(within(old).getByText('Its connector does not read the network yet')).toBeInTheDocument();
    expect(within(old).queryByRole('button', { name: /Read now/ })).not.toBeInTheDocument();
    await user.click(within(row).getByRole('button', { name: 'Read now Town hall on Telegram' }));
    await waitFor(() =>
      expect(s.calls.some((c) => c.method === 'POST' && c.path.endsWith(`/channels/${id}/sync`))).toBe(true),
    );
    expect(
      await screen.findByText('Heraut reads Town hall on Telegram now; new mentions and replies arrive in a moment.'),
    ).toBeInTheDocument();
  });

  it('connects a Telegram channel with its settings and bot token', async () => {
    const created = channel({ name: 'Crisis chat' });
    const s = server('owner', [], {
      'POST /api/v1/tenants/acme/channels': { status: 201, body: created },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await screen.findByRole('heading', { name: 'Connect a channel' });
    // Only enabled connectors and the built-in ones are offered.
    await waitFor(() =>
      expect(screen.queryByRole('option', { name: 'Bluesky' })).not.toBeInTheDocument(),
    );
    await user.selectOptions(screen.getByLabelText('Network'), 'telegram');
    await user.type(screen.getByLabelText('Channel name'), 'Crisis chat');
    await user.type(screen.getByRole('textbox', { name: 'Chat' }), '-1001234567890');
    const token = screen.getByLabelText('Bot token');
    expect(token).toHaveAttribute('type', 'password');
    expect(token).toHaveAttribute('autocomplete', 'off');
    await user.type(token, '123456:ABC-DEF');
    await user.click(screen.getByRole('button', { name: 'Connect channel' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'POST')?.body).toEqual({
        plugin: 'telegram',
        name: 'Crisis chat',
        settings: { chat_id: '-1001234567890' },
        credentials: { bot_token: '123456:ABC-DEF' },
      }),
    );
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('Channel “Crisis chat” connected.'),
    );
  });

  it('shows what is missing instead of sending', async () => {
    const s = server('owner', []);
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await screen.findByRole('heading', { name: 'Connect a channel' });
    await user.selectOptions(screen.getByLabelText('Network'), 'telegram');
    await user.click(screen.getByRole('button', { name: 'Connect channel' }));
    expect(await screen.findByRole('textbox', { name: 'Chat' })).toHaveAccessibleDescription(
      expect.stringContaining('Fill in this field.'),
    );
    // One announcement lists every field to fix, each linked to its control.
    const summary = screen.getByRole('alert');
    expect(summary).toHaveTextContent(/^There (is 1 problem|are \d+ problems) to fix:/);
    expect(within(summary).getByRole('link', { name: 'Chat: Fill in this field.' })).toHaveAttribute(
      'href',
      `#${screen.getByRole('textbox', { name: 'Chat' }).id}`,
    );
    expect(s.calls.some((c) => c.method === 'POST')).toBe(false);
  });

  it('connects Mastodon through OAuth: creates the channel, starts OAuth and goes to the network', async () => {
    const created = channel({
      id: '0190a000-0000-7000-8000-0000000000d1',
      plugin: 'mastodon',
      name: 'Town hall on Mastodon',
      status: 'needs_reconnect',
      has_credentials: false,
    });
    const s = server('owner', [], {
      'POST /api/v1/tenants/acme/channels': { status: 201, body: created },
      'POST /api/v1/tenants/acme/channels/0190a000-0000-7000-8000-0000000000d1/oauth/start': {
        authorize_url: 'https://social.example.org/oauth/authorize?client_id=x&state=y',
        expires_at: '2025-02-01T10:10:00Z',
      },
    });
    vi.stubGlobal('fetch', s.fetch);
    const assign = vi.fn();
    vi.stubGlobal('location', { ...window.location, origin: window.location.origin, assign });
    const user = userEvent.setup();
    render();
    await screen.findByRole('heading', { name: 'Connect a channel' });
    await user.selectOptions(screen.getByLabelText('Network'), 'mastodon');
    await user.type(screen.getByLabelText('Channel name'), 'Town hall on Mastodon');
    await user.type(screen.getByRole('textbox', { name: 'Instance address' }), 'https://social.example.org');
    // Through the network, no token is asked for.
    expect(screen.queryByLabelText('Access token')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Connect through Mastodon' }));
    await waitFor(() =>
      expect(assign).toHaveBeenCalledWith('https://social.example.org/oauth/authorize?client_id=x&state=y'),
    );
    expect(s.calls.find((c) => c.path === '/api/v1/tenants/acme/channels' && c.method === 'POST')?.body).toEqual({
      plugin: 'mastodon',
      name: 'Town hall on Mastodon',
      settings: { instance_url: 'https://social.example.org' },
    });
  });

  it('builds the form of a connector it has no table for from its manifest', async () => {
    const created = channel({ plugin: 'example', name: 'Example feed' });
    const s = server('owner', [], {
      'GET /api/v1/plugins': {
        items: [
          plugin('example', 'Example', true, {
            settings: [{ key: 'endpoint', label: 'Endpoint', kind: 'url', required: true }],
            auth: { kind: 'token', credential: 'api_key' },
          }),
        ],
        next_cursor: null,
      },
      'POST /api/v1/tenants/acme/channels': { status: 201, body: created },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await screen.findByRole('option', { name: 'Example' });
    await user.selectOptions(screen.getByLabelText('Network'), 'example');
    await user.type(screen.getByLabelText('Channel name'), 'Example feed');
    const endpoint = screen.getByRole('textbox', { name: 'Endpoint' });
    expect(endpoint).toHaveAttribute('type', 'url');
    expect(endpoint).toHaveAttribute('aria-required', 'true');
    // Checked like the server does before anything is sent.
    await user.type(endpoint, 'not a url');
    await user.click(screen.getByRole('button', { name: 'Connect channel' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Endpoint: Enter a full web address');
    const key = screen.getByLabelText(/api_key/);
    expect(key).toHaveAttribute('type', 'password');
    expect(screen.queryByLabelText(/JSON/)).not.toBeInTheDocument();
    await user.clear(endpoint);
    await user.type(endpoint, 'https://example.org/api');
    await user.type(key, 'k-123');
    await user.click(screen.getByRole('button', { name: 'Connect channel' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'POST')?.body).toEqual({
        plugin: 'example',
        name: 'Example feed',
        settings: { endpoint: 'https://example.org/api' },
        credentials: { api_key: 'k-123' },
      }),
    );
  });

  it('prefills manifest defaults, offers OAuth for oauth2 and marks English labels in Dutch', async () => {
    await i18n.changeLanguage('nl');
    try {
      const created = channel({ plugin: 'forum', name: 'Forum' });
      const s = server('owner', [], {
        'GET /api/v1/plugins': {
          items: [
            plugin('forum', 'Forum', true, {
              settings: [
                { key: 'base_url', label: 'Forum address', kind: 'url', required: true, default: 'https://forum.example.org' },
                { key: 'max_length', label: 'Maximum length', kind: 'integer', required: false, default: '300' },
                { key: 'pinned', label: 'Pin posts', kind: 'boolean', required: false, default: 'true' },
                { key: 'silent', label: 'Post silently', kind: 'boolean', required: false, default: null },
              ],
              auth: { kind: 'oauth2', credential: 'access_token' },
            }),
          ],
          next_cursor: null,
        },
        'POST /api/v1/tenants/acme/channels': { status: 201, body: created },
      });
      vi.stubGlobal('fetch', s.fetch);
      const user = userEvent.setup();
      render();
      await screen.findByRole('option', { name: 'Forum' });
      await user.selectOptions(screen.getByLabelText('Netwerk'), 'forum');
      await user.type(screen.getByLabelText('Naam van het kanaal'), 'Forum');
      const address = screen.getByRole('textbox', { name: 'Forum address' });
      expect(address).toHaveValue('https://forum.example.org');
      expect(screen.getByText('Forum address')).toHaveAttribute('lang', 'en');
      expect(screen.getByRole('spinbutton', { name: /Maximum length/ })).toHaveValue(300);
      expect(screen.getByRole('checkbox', { name: 'Pin posts' })).toBeChecked();
      await user.click(screen.getByRole('checkbox', { name: 'Post silently' }));
      // Token instead of the network's sign-in page: the manifest's credential is asked for.
      await user.click(screen.getByRole('radio', { name: /token/i }));
      await user.type(screen.getByLabelText(/access_token/), 'tok');
      await user.click(screen.getByRole('button', { name: /Kanaal koppelen/ }));
      await waitFor(() =>
        expect(s.calls.find((c) => c.method === 'POST')?.body).toEqual({
          plugin: 'forum',
          name: 'Forum',
          settings: { base_url: 'https://forum.example.org', max_length: 300, pinned: true, silent: true },
          credentials: { access_token: 'tok' },
        }),
      );
    } finally {
      await act(async () => {
        await i18n.changeLanguage('en');
      });
    }
  });

  it('reconnects a channel with new credentials, and disconnects one after confirming', async () => {
    const id = '0190a000-0000-7000-8000-0000000000c1';
    const s = server('owner', [channel({ status: 'needs_reconnect' })], {
      [`PUT /api/v1/tenants/acme/channels/${id}/credentials`]: channel({ status: 'active' }),
      [`DELETE /api/v1/tenants/acme/channels/${id}`]: { status: 204 },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Reconnect Town hall on Telegram' }));
    await user.type(screen.getByLabelText('Bot token'), 'new-token');
    await user.click(screen.getByRole('button', { name: 'Save new credentials' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'PUT')?.body).toEqual({ credentials: { bot_token: 'new-token' } }),
    );

    await user.click(screen.getByRole('button', { name: 'Disconnect Town hall on Telegram' }));
    const dialog = screen.getByRole('dialog', { name: 'Disconnect “Town hall on Telegram”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(s.calls.some((c) => c.method === 'DELETE' && c.path.endsWith(id))).toBe(true));
  });

  it('returns focus to the Reconnect button when its panel closes, and to the list after disconnecting', async () => {
    const id = '0190a000-0000-7000-8000-0000000000c1';
    let live = true;
    const s = server('owner', [], {
      [`DELETE /api/v1/tenants/acme/channels/${id}`]: { status: 204 },
    });
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      const path = new URL(request.url, 'http://localhost').pathname;
      if (request.method === 'GET' && path === '/api/v1/tenants/acme/channels') {
        const status = live ? 'needs_reconnect' : 'disconnected';
        return Response.json({ items: [channel({ status })], next_cursor: null });
      }
      if (request.method === 'DELETE') live = false;
      return s.fetch(request);
    });
    const user = userEvent.setup();
    render();
    const reconnect = await screen.findByRole('button', { name: 'Reconnect Town hall on Telegram' });
    await user.click(reconnect);
    expect(reconnect).toHaveAttribute('aria-expanded', 'true');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(reconnect).toHaveAttribute('aria-expanded', 'false');
    await waitFor(() => expect(reconnect).toHaveFocus());

    await user.click(screen.getByRole('button', { name: 'Disconnect Town hall on Telegram' }));
    const dialog = screen.getByRole('dialog', { name: 'Disconnect “Town hall on Telegram”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: /Disconnect Town hall/ })).toBeNull());
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: 'Connected channels' })).toHaveFocus());
  });
});
