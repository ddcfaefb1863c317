import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiProblem, call, onSignedOut, sessionFetch } from './client';

type Seen = { method: string; path: string };

/** A fetch that answers from a queue per `METHOD path` and records what it was asked. */
function server(answers: Record<string, Response[]>) {
  const seen: Seen[] = [];
  const impl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const path = new URL(request.url).pathname;
    seen.push({ method: request.method, path });
    const queue = answers[`${request.method} ${path}`] ?? [];
    return queue.shift() ?? new Response('{}', { status: 404 });
  };
  vi.stubGlobal('fetch', vi.fn(impl));
  return seen;
}

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ type: `urn:heraut:problem:${code}`, title: 't', status, detail: `detail of ${code}`, code, ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the session in cookies', () => {
  it('renews an expired access cookie once and repeats the request', async () => {
    const seen = server({
      'GET /api/v1/me': [problem(401, 'auth.token_invalid'), json({ email: 'ada@example.gov' })],
      'POST /api/v1/auth/web/refresh': [json({ mfa_required: false, expires_in: 600 })],
    });
    const me = await call(api.GET('/api/v1/me'));
    expect(me.email).toBe('ada@example.gov');
    expect(seen).toEqual([
      { method: 'GET', path: '/api/v1/me' },
      { method: 'POST', path: '/api/v1/auth/web/refresh' },
      { method: 'GET', path: '/api/v1/me' },
    ]);
  });

  it('does not renew the session for a wrong password or code', async () => {
    const seen = server({
      'PUT /api/v1/me/password': [problem(401, 'auth.invalid_credentials')],
    });
    await expect(
      call(api.PUT('/api/v1/me/password', { body: { current_password: 'x', new_password: 'y' } })),
    ).rejects.toMatchObject({ status: 401, code: 'auth.invalid_credentials' });
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/me/password']);
  });

  it('tells the app the session is gone when renewing fails', async () => {
    server({
      'GET /api/v1/me': [problem(401, 'auth.unauthenticated')],
      'POST /api/v1/auth/web/refresh': [problem(401, 'auth.refresh_reused')],
    });
    const signedOut = vi.fn();
    const stop = onSignedOut(signedOut);
    await expect(call(api.GET('/api/v1/me'))).rejects.toBeInstanceOf(ApiProblem);
    expect(signedOut).toHaveBeenCalledTimes(1);
    stop();
  });

  it('shares one renewal between requests that expire together', async () => {
    const seen = server({
      'GET /api/v1/me': [problem(401, 'auth.token_invalid'), json({ email: 'a' })],
      'GET /api/v1/tenants': [problem(401, 'auth.token_invalid'), json({ items: [], next_cursor: null })],
      'POST /api/v1/auth/web/refresh': [json({ mfa_required: false, expires_in: 600 })],
    });
    await Promise.all([
      sessionFetch(new Request('http://localhost/api/v1/me')),
      sessionFetch(new Request('http://localhost/api/v1/tenants')),
    ]);
    expect(seen.filter((s) => s.path === '/api/v1/auth/web/refresh')).toHaveLength(1);
  });

  it('never renews on the sign-in routes themselves', async () => {
    const seen = server({ 'POST /api/v1/auth/web/mfa': [problem(401, 'auth.token_invalid')] });
    const r = await sessionFetch(new Request('http://localhost/api/v1/auth/web/mfa', { method: 'POST' }));
    expect(r.status).toBe(401);
    expect(seen).toHaveLength(1);
  });
});

describe('problems', () => {
  it('carry the stable code, the detail and the per-channel items', async () => {
    server({
      'POST /api/v1/tenants/town/posts': [
        problem(422, 'post.invalid', { errors: [{ channel_id: 'c1', field: 'body', message: 'too long' }] }),
      ],
    });
    const error = await call(
      api.POST('/api/v1/tenants/{tenant}/posts', {
        params: { path: { tenant: 'town' } },
        body: { body: 'x', channels: ['c1'] },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject({ status: 422, code: 'post.invalid', detail: 'detail of post.invalid' });
    expect((error as ApiProblem).items).toEqual([{ channel_id: 'c1', field: 'body', message: 'too long' }]);
  });

  it('name an unreachable server as a network problem', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(call(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
