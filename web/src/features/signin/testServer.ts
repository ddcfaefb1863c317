// For the tests of this folder: a fake server whose `GET /api/v1/me` answers 401 until a sign-in
// succeeds, as the real one does once it has set the session cookies.
import { vi } from 'vitest';
import { fakeServer } from '../../test/render';

export const me = {
  id: '0190a1b2-0000-7000-8000-000000000001',
  email: 'anna@example.org',
  name: 'Anna de Vries',
  instance_admin: false,
  mfa_enabled: false,
  memberships: [{ tenant: 'acme', tenant_id: '0190a1b2-0000-7000-8000-0000000000aa', role: 'editor' }],
};

export function problem(status: number, code: string, detail = '', extra: object = {}) {
  return { status, body: { type: `urn:heraut:problem:${code}`, title: code, status, detail, code, ...extra } };
}

export function signInServer(routes: Record<string, unknown>) {
  const table: Record<string, unknown> = {
    'GET /api/v1/me': problem(401, 'auth.unauthenticated', 'sign in'),
    'POST /api/v1/auth/web/refresh': problem(401, 'auth.unauthenticated', 'sign in'),
    ...routes,
  };
  const server = fakeServer(table);
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input), 'http://localhost');
    // The session code calls `fetch` with relative paths, as a browser allows.
    const response = await server.fetch(input instanceof Request ? input : url, init);
    if (response.ok && url.pathname.startsWith('/api/v1/auth/web/')) {
      const body = (await response.clone().json()) as { mfa_required?: boolean };
      if (body.mfa_required === false) table['GET /api/v1/me'] = me;
    }
    return response;
  });
  return server;
}
