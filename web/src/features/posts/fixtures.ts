// Answers like the server's, shared by the post screens' tests.
export const TENANT = 'acme';
export const MASTODON = '0195f0a0-0000-7000-8000-000000000001';
export const BLUESKY = '0195f0a0-0000-7000-8000-000000000002';
export const TELEGRAM = '0195f0a0-0000-7000-8000-000000000003';
export const POST_ID = '0195f0a0-0000-7000-8000-0000000000aa';
export const AUTHOR = '0195f0a0-0000-7000-8000-0000000000u1';

export function me(role = 'editor') {
  return {
    id: AUTHOR,
    email: 'editor@acme.example',
    name: 'Eda Editor',
    instance_admin: false,
    mfa_enabled: true,
    memberships: [{ tenant: TENANT, tenant_id: '0195f0a0-0000-7000-8000-0000000000t1', role }],
  };
}

export const tenantView = {
  id: '0195f0a0-0000-7000-8000-0000000000t1',
  slug: TENANT,
  name: 'Acme',
  level: 'municipal',
  parent: null,
  settings: { require_mfa: false, time_zone: 'Europe/Amsterdam', publish_grace_minutes: 30 },
  created_at: '2025-01-01T00:00:00Z',
};

const channel = (id: string, plugin: string, name: string, status = 'active') => ({
  id,
  plugin,
  name,
  settings: {},
  status,
  has_credentials: true,
  created_at: '2025-01-01T00:00:00Z',
});

export const channels = {
  items: [
    channel(MASTODON, 'mastodon', 'City Mastodon'),
    channel(BLUESKY, 'bluesky', 'City Bluesky'),
    channel(TELEGRAM, 'telegram', 'Old Telegram', 'needs_reconnect'),
  ],
  next_cursor: null,
};

export function post(over: Record<string, unknown> = {}) {
  return {
    id: POST_ID,
    status: 'draft',
    revision: 1,
    author_id: AUTHOR,
    body: 'Road works on Main Street start on Monday.',
    channels: [MASTODON, BLUESKY],
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
    created_at: '2025-05-01T08:00:00Z',
    updated_at: '2025-05-01T08:00:00Z',
    ...over,
  };
}

/** The routes every post screen reads. */
export function baseRoutes(role = 'editor'): Record<string, unknown> {
  return {
    'GET /api/v1/me': me(role),
    [`GET /api/v1/tenants/${TENANT}`]: tenantView,
    [`GET /api/v1/tenants/${TENANT}/channels`]: channels,
    [`GET /api/v1/tenants/${TENANT}/crisis`]: { active: false, message: '', changed_at: null, changed_by: null, held: [] },
  };
}
