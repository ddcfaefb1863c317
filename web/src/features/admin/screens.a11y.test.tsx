// A quick accessibility pass (axe-core in jsdom) over the screens of channels, members, policy,
// audit and instance administration, with their forms and panels open. Colour contrast and
// landmarks need a real browser and the app's frame: the browser tests check those.
import { afterEach, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import axe from 'axe-core';
import { fakeServer, renderAt } from '../../test/render';
import { settleAnnouncer } from '../channels/test-support';
import Channels from '../channels/Channels';
import Members from '../members/Members';
import ApprovalPolicy from '../policy/ApprovalPolicy';
import AuditLog from '../audit/AuditLog';
import InstanceAdmin from './InstanceAdmin';

afterEach(settleAnnouncer);

const at = '2025-01-01T00:00:00Z';
const tenant = {
  id: '0190a000-0000-7000-8000-0000000000aa',
  slug: 'acme',
  name: 'Acme',
  level: 'municipal',
  parent: null,
  settings: { require_mfa: true, time_zone: 'Europe/Amsterdam', publish_grace_minutes: 30 },
  created_at: at,
};
const plugin = (id: string, hosts: string[]) => ({
  id,
  name: id,
  version: '0.1.0',
  world: 'connector',
  api_version: '0.2.0',
  capabilities: ['publishing'],
  declared_hosts: hosts,
  approved_hosts: [],
  enabled: true,
  sha256: 'ab'.repeat(32),
  installed_at: at,
  updated_at: at,
});
const channel = (id: string, plugin: string, name: string, status: string) => ({
  id,
  plugin,
  name,
  settings: {},
  status,
  has_credentials: false,
  created_at: at,
});

const routes = {
  'GET /api/v1/me': {
    id: 'u1',
    email: 'olivia@acme.example',
    name: 'Olivia',
    instance_admin: true,
    mfa_enabled: true,
    memberships: [{ tenant: 'acme', tenant_id: tenant.id, role: 'owner' }],
  },
  'GET /api/v1/tenants/acme': tenant,
  'GET /api/v1/tenants': { items: [tenant], next_cursor: null },
  'GET /api/v1/admin/jobs': {
    items: [
      {
        id: '0190a000-0000-7000-8000-0000000000d1',
        kind: 'channel.sync',
        tenant_id: null,
        state: 'dead',
        due_at: '2025-03-01T10:00:00Z',
        attempts: 8,
        last_error: 'the peer answered 400 Bad Request',
        updated_at: '2025-03-01T10:05:00Z',
      },
    ],
    next_cursor: null,
  },
  'GET /api/v1/plugins': {
    items: [plugin('mastodon', ['*']), plugin('telegram', ['api.telegram.org'])],
    next_cursor: null,
  },
  'GET /api/v1/tenants/acme/channels': {
    items: [
      channel('c1', 'mastodon', 'Town hall', 'needs_reconnect'),
      channel('c2', 'feed', 'News', 'active'),
      channel('c3', 'webhook', 'Old site', 'disconnected'),
    ],
    next_cursor: null,
  },
  'GET /api/v1/tenants/acme/members': {
    items: [
      { user_id: 'u1', email: 'olivia@acme.example', name: 'Olivia', role: 'owner', mfa_enabled: true, joined_at: at },
    ],
    next_cursor: null,
  },
  'GET /api/v1/tenants/acme/approval-policy': {
    steps: [
      { name: 'Editor in chief', role: 'approver', approvals_required: 1 },
      { name: 'Director', role: 'owner', approvals_required: 2 },
    ],
    emergency_steps: [{ name: 'Emergency', role: 'owner', approvals_required: 1 }],
  },
  'GET /api/v1/tenants/acme/audit': {
    items: [
      {
        seq: 1,
        occurred_at: at,
        actor_id: null,
        actor_email: null,
        ip: null,
        user_agent: null,
        action: 'channel.connect',
        target: 'c1',
        outcome: 'success',
        request_id: null,
        details: { plugin: 'mastodon' },
        hash: 'ab'.repeat(32),
      },
    ],
    next_cursor: null,
  },
};

async function violations(): Promise<string[]> {
  const result = await axe.run(document.body, {
    rules: { 'color-contrast': { enabled: false }, region: { enabled: false } },
  });
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

it('has no axe violations on these screens', async () => {
  vi.stubGlobal('fetch', fakeServer(routes).fetch);
  const user = userEvent.setup();

  let view = renderAt(<Channels />, { path: '/t/:tenant/channels', route: '/t/acme/channels' });
  await user.click(await screen.findByRole('button', { name: 'Reconnect Town hall' }));
  await user.selectOptions(screen.getByLabelText('Network'), 'telegram');
  await user.click(screen.getByRole('button', { name: 'Connect channel' }));
  await screen.findAllByText('Fill in this field.');
  expect(await violations()).toEqual([]);
  view.unmount();

  view = renderAt(<Members />, { path: '/t/:tenant/members', route: '/t/acme/members' });
  await screen.findByRole('rowheader', { name: /Olivia/ });
  expect(await violations()).toEqual([]);
  view.unmount();

  view = renderAt(<ApprovalPolicy />, { path: '/t/:tenant/policy', route: '/t/acme/policy' });
  await screen.findByRole('button', { name: 'Save approval policy' });
  expect(await violations()).toEqual([]);
  view.unmount();

  view = renderAt(<AuditLog />, { path: '/t/:tenant/audit', route: '/t/acme/audit' });
  await screen.findByText('channel.connect');
  expect(await violations()).toEqual([]);
  view.unmount();

  view = renderAt(<InstanceAdmin />, { path: '/admin', route: '/admin' });
  await user.click(await screen.findByRole('button', { name: 'Approve hosts mastodon' }));
  expect(await violations()).toEqual([]);
  view.unmount();
  vi.unstubAllGlobals();
});
