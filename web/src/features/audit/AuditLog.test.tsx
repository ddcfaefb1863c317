import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer, renderAt } from '../../test/render';
import { settleAnnouncer } from '../channels/test-support';
import AuditLog from './AuditLog';
import { summarise, zonedDayStart } from './format';
import { me, ownerId, tenant } from '../../test/fixtures';

afterEach(async () => {
  await settleAnnouncer();
  vi.unstubAllGlobals();
});

const event = (seq: number, action: string, details: unknown = {}) => ({
  seq,
  occurred_at: '2025-03-01T12:00:00Z',
  actor_id: ownerId,
  actor_email: 'olivia@acme.example',
  ip: '192.0.2.1',
  user_agent: 'Firefox',
  action,
  target: 'target-' + seq,
  outcome: 'success',
  request_id: 'req-' + seq,
  details,
  hash: 'ab'.repeat(32),
});

function server(extra: Record<string, unknown> = {}) {
  return fakeServer({
    'GET /api/v1/me': me('records_officer'),
    'GET /api/v1/tenants/acme': tenant,
    'GET /api/v1/tenants/acme/members': {
      items: [
        {
          user_id: ownerId,
          email: 'olivia@acme.example',
          name: 'Olivia Owner',
          role: 'owner',
          mfa_enabled: true,
          joined_at: '2025-01-02T09:00:00Z',
        },
      ],
      next_cursor: null,
    },
    'GET /api/v1/tenants/acme/audit?limit=50': {
      items: [event(3, 'member.add', { email: 'anna@acme.example', role: 'editor' })],
      next_cursor: '3',
    },
    'GET /api/v1/tenants/acme/audit?limit=50&cursor=3': {
      items: [event(2, 'channel.connect', { plugin: 'telegram' })],
      next_cursor: null,
    },
    ...extra,
  });
}

const render = () => renderAt(<AuditLog />, { path: '/t/:tenant/audit', route: '/t/acme/audit' });

describe('AuditLog', () => {
  it('verifies the audit trail and announces that it is intact', async () => {
    const s = server({
      'GET /api/v1/tenants/acme/audit/verify': { valid: true, events_checked: 42, first_broken_event: null },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Verify the audit trail' }));
    expect(await screen.findByText('Intact: 42 events checked.')).toBeInTheDocument();
    expect(screen.getByText('✓', { exact: false })).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('Intact: 42 events checked.'),
    );
  });

  it('says where the chain is broken', async () => {
    vi.stubGlobal(
      'fetch',
      server({
        'GET /api/v1/tenants/acme/audit/verify': { valid: false, events_checked: 10, first_broken_event: 7 },
      }).fetch,
    );
    const user = userEvent.setup();
    render();
    await user.click(await screen.findByRole('button', { name: 'Verify the audit trail' }));
    expect(await screen.findByText('Broken at event 7 (10 events checked).')).toBeInTheDocument();
  });

  it('lists events, pages on, and filters by actor, action and days in the tenant zone', async () => {
    const s = server();
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    expect(await screen.findByText('member.add')).toBeInTheDocument();
    expect(screen.getByText('email: anna@acme.example; role: editor')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show more' }));
    expect(await screen.findByText('channel.connect')).toBeInTheDocument();

    await user.selectOptions(await screen.findByRole('combobox', { name: 'By' }), ownerId);
    await user.type(screen.getByRole('combobox', { name: 'Action' }), 'member.add');
    await user.type(screen.getByLabelText('From (date)'), '2025-03-01');
    await user.type(screen.getByLabelText('Up to and including (date)'), '2025-03-02');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() => {
      const last = s.calls.filter((c) => c.path.startsWith('/api/v1/tenants/acme/audit?')).at(-1)!;
      const q = new URL(last.path, 'http://x').searchParams;
      expect(q.get('actor')).toBe(ownerId);
      expect(q.get('action')).toBe('member.add');
      expect(q.get('since')).toBe('2025-02-28T23:00:00.000Z');
      expect(q.get('until')).toBe('2025-03-02T23:00:00.000Z');
    });
  });

  it('tells people without the right that they may not read it', async () => {
    vi.stubGlobal('fetch', fakeServer({ 'GET /api/v1/me': me('editor') }).fetch);
    render();
    expect(await screen.findByText(/Only owners and records officers/)).toBeInTheDocument();
  });
});

describe('audit helpers', () => {
  it('turns a day into the instant it starts in a zone', () => {
    expect(zonedDayStart('2025-07-01', 'Europe/Amsterdam', 0)).toBe('2025-06-30T22:00:00.000Z');
    expect(zonedDayStart('2025-12-31', 'UTC', 1)).toBe('2026-01-01T00:00:00.000Z');
  });
  it('summarises details on one line', () => {
    expect(summarise({ a: 1, b: ['x', 'y'], c: null })).toBe('a: 1; b: x, y; c: —');
    expect(summarise({ long: 'z'.repeat(200) }, 20)).toHaveLength(20);
  });
});
