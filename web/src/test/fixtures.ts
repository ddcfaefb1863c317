// Answers the tests share: the signed-in person (an owner of `acme` unless told otherwise) and
// the `acme` organisation, shaped like the server's `MeResponse` and `TenantView`.

export const acmeId = '0190a000-0000-7000-8000-0000000000aa';
export const ownerId = '0190a000-0000-7000-8000-000000000001';

/** `GET /api/v1/me` for Olivia with `role` in `acme`. */
export const me = (role: string) => ({
  id: ownerId,
  email: 'olivia@acme.example',
  name: 'Olivia Owner',
  instance_admin: false,
  mfa_enabled: true,
  memberships: [{ tenant: 'acme', tenant_id: acmeId, role }],
});

/** `GET /api/v1/tenants/acme`. */
export const tenant = {
  id: acmeId,
  slug: 'acme',
  name: 'Acme',
  level: 'municipal',
  parent: null,
  settings: { require_mfa: true, time_zone: 'Europe/Amsterdam', publish_grace_minutes: 30 },
  created_at: '2025-01-01T00:00:00Z',
};
