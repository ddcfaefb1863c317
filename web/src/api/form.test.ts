import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiProblem } from './client';
import { postForm } from './form';

afterEach(() => vi.unstubAllGlobals());

describe('postForm', () => {
  it('posts the form with the session cookies and returns the JSON answer', async () => {
    const seen: Request[] = [];
    vi.stubGlobal('fetch', async (request: Request) => {
      seen.push(request);
      return Response.json({ id: 'm1' }, { status: 201 });
    });
    const form = new FormData();
    form.append('alt_text', 'A map');
    await expect(postForm('/api/v1/tenants/acme/media', form)).resolves.toEqual({ id: 'm1' });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].credentials).toBe('same-origin');
    expect(new URL(seen[0].url).pathname).toBe('/api/v1/tenants/acme/media');
    expect(await seen[0].text()).toContain('A map');
  });

  it('throws the server problem, and a network problem (status 0) when the server is not reached', async () => {
    vi.stubGlobal('fetch', async () =>
      Response.json(
        { status: 413, code: 'media.too_large', detail: 'too large', title: '', type: '' },
        { status: 413, headers: { 'content-type': 'application/problem+json' } },
      ),
    );
    const refused = await postForm('/api/v1/plugins', new FormData()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiProblem);
    expect(refused).toMatchObject({ status: 413, code: 'media.too_large' });

    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    const offline = await postForm('/api/v1/plugins', new FormData()).catch((e: unknown) => e);
    // No English detail of its own: the UI shows the translated `errors:network`.
    expect(offline).toMatchObject({ status: 0, code: 'network', detail: '' });
  });
});
