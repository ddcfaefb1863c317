// Renders a screen as the app does (query cache, router, session, announcer) for component tests.
import type { ReactElement } from 'react';
import { render } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { SessionProvider } from '../auth/session';
import { AnnouncerProvider } from '../layout/live';

export function renderAt(ui: ReactElement, { path = '/', route = '/' }: { path?: string; route?: string } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[route]}>
        <AnnouncerProvider>
          <SessionProvider>
            <Routes>
              <Route path={path} element={ui} />
            </Routes>
          </SessionProvider>
        </AnnouncerProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

/** A `fetch` that answers from a table of `METHOD path` → JSON (status 200 unless given), and
 * records every request; unknown routes answer 404 problem+json so a test sees what it missed. */
export function fakeServer(routes: Record<string, unknown | { status: number; body?: unknown }>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request =
      input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const url = new URL(request.url, 'http://localhost');
    const text = request.method === 'GET' ? '' : await request.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // multipart or text bodies stay as text
    }
    calls.push({ method: request.method, path: url.pathname + url.search, body });
    const key = `${request.method} ${url.pathname}`;
    const hit = routes[key] ?? routes[`${request.method} ${url.pathname}${url.search}`];
    if (hit === undefined) {
      return new Response(
        JSON.stringify({ status: 404, code: 'request.not_found', detail: `no route ${key}`, title: '', type: '' }),
        { status: 404, headers: { 'content-type': 'application/problem+json' } },
      );
    }
    const answer =
      hit && typeof hit === 'object' && 'status' in hit && typeof (hit as { status: unknown }).status === 'number'
        ? (hit as { status: number; body?: unknown })
        : { status: 200, body: hit };
    if (answer.status === 204) return new Response(null, { status: 204 });
    const problem = answer.status >= 400;
    return new Response(JSON.stringify(answer.body ?? {}), {
      status: answer.status,
      headers: { 'content-type': problem ? 'application/problem+json' : 'application/json' },
    });
  };
  return { fetch: fetchImpl, calls };
}
