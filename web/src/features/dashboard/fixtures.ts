// Answers like the server's, for the tests of the dashboard, calendar, approvals and crisis
// screens: a signed-in person, the tenant, posts by status, and a `fetch` that serves them.
import { fakeServer } from '../../test/render';
import type { Post } from './lookups';

export const ME = 'u-0000-me';
export const OTHER = 'u-0000-other';
export const CHANNEL = 'c-0000-mastodon';

export function me(role: string) {
  return {
    id: ME,
    email: 'me@example.org',
    name: 'Mira Example',
    instance_admin: false,
    mfa_enabled: true,
    memberships: [{ tenant: 'acme', tenant_id: 't-0000-acme', role }],
  };
}

export const tenant = {
  id: 't-0000-acme',
  slug: 'acme',
  name: 'Acme Municipality',
  level: 'municipal',
  parent: null,
  settings: { require_mfa: false, time_zone: 'Europe/Amsterdam', publish_grace_minutes: 15 },
  created_at: '2025-01-01T00:00:00Z',
};

export const members = {
  items: [
    { user_id: ME, email: 'me@example.org', name: 'Mira Example', role: 'approver', mfa_enabled: true, joined_at: '2025-01-01T00:00:00Z' },
    { user_id: OTHER, email: 'eddie@example.org', name: 'Eddie Editor', role: 'editor', mfa_enabled: true, joined_at: '2025-01-01T00:00:00Z' },
  ],
  next_cursor: null,
};

export const channels = {
  items: [
    {
      id: CHANNEL,
      plugin: 'mastodon',
      name: 'City Mastodon',
      settings: {},
      status: 'active',
      has_credentials: true,
      created_at: '2025-01-01T00:00:00Z',
    },
  ],
  next_cursor: null,
};

export function post(overrides: Partial<Post> & { id: string }): Post {
  return {
    status: 'draft',
    revision: 1,
    author_id: OTHER,
    body: 'Road works on Main Street',
    channels: [CHANNEL],
    variants: {},
    media: [],
    scheduled_at: null,
    time_zone: 'Europe/Amsterdam',
    campaign: null,
    reply_to: null,
    poll: null,
    content_warning: null,
    thread: [],
    emergency: false,
    reject_reason: null,
    is_record: false,
    retracted_at: null,
    retract_reason: null,
    approval: null,
    targets: [],
    comments: [],
    created_at: '2025-01-01T00:00:00Z',
    updated_at: '2025-01-01T00:00:00Z',
    ...overrides,
  } as Post;
}

export const oneStep = (role: 'approver' | 'owner' = 'approver') => ({
  steps: [{ name: 'Communications lead', role, approvals_required: 1 }],
  current_step: 0,
  approvals: [],
});

type Routes = Record<string, unknown>;

/** A fake server: the post list answers by its `status` filter (or by `from`/`to` when none is
 * given); every other route comes from `routes`. */
export function server(role: string, byStatus: Record<string, Post[]>, routes: Routes = {}) {
  const base = fakeServer({
    'GET /api/v1/me': me(role),
    'GET /api/v1/tenants/acme': tenant,
    'GET /api/v1/tenants/acme/members': members,
    'GET /api/v1/tenants/acme/channels': channels,
    ...routes,
  });
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const url = new URL(request.url, 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/api/v1/tenants/acme/posts') {
      base.calls.push({ method: 'GET', path: url.pathname + url.search, body: undefined });
      const status = url.searchParams.get('status');
      const items = status ? (byStatus[status] ?? []) : Object.values(byStatus).flat();
      return new Response(JSON.stringify({ items, next_cursor: null }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    return base.fetch(request);
  };
  return { fetch: fetchImpl, calls: base.calls };
}

/** axe-core's findings on the page, without the rules jsdom cannot judge (colours, layout). */
export async function axeViolations(): Promise<string[]> {
  const { default: axe } = await import('axe-core');
  const result = await axe.run(document.body, {
    rules: { 'color-contrast': { enabled: false }, region: { enabled: false } },
  });
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html.slice(0, 120)}`));
}
