// The one way the UI talks to the server: a typed client over `/api/v1`, generated from the
// server's OpenAPI document (`schema.d.ts`). The session lives in HttpOnly cookies the browser
// sends by itself; when the short-lived access cookie has run out, one refresh is tried and the
// request repeated once.
import createClient from 'openapi-fetch';
import type { paths, components } from './schema';

export type Schemas = components['schemas'];

/** A problem+json answer of the server (RFC 9457), thrown by `call`. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly items: Schemas['ProblemItem'][];
  readonly retryAfter?: number;

  constructor(status: number, body: Partial<Schemas['Problem']> | undefined) {
    super(body?.detail ?? `HTTP ${status}`);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = body?.code ?? (status === 0 ? 'network' : 'unknown');
    this.detail = body?.detail ?? '';
    this.items = body?.errors ?? [];
    this.retryAfter = body?.retry_after ?? undefined;
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the session is gone (refresh refused): the app shows the sign-in page. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

let refreshing: Promise<boolean> | null = null;

/** Renews the session cookies; concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/api/v1/auth/web/refresh', {
    method: 'POST',
    credentials: 'same-origin',
  })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

const noRetry = ['/api/v1/auth/web/'];

/** Codes of a 401 that mean "the access cookie ran out or is gone", not "wrong password". */
const sessionEnded = ['auth.unauthenticated', 'auth.token_invalid'];

async function problemCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.clone().json()) as { code?: string };
    return body.code;
  } catch {
    return undefined;
  }
}

export async function sessionFetch(request: Request): Promise<Response> {
  const again = request.clone();
  const response = await fetch(request);
  const path = new URL(request.url, window.location.origin).pathname;
  if (response.status !== 401 || noRetry.some((p) => path.startsWith(p))) {
    return response;
  }
  // A wrong password or code is a 401 too; only a missing or expired session is renewed.
  if (!sessionEnded.includes((await problemCode(response)) ?? '')) {
    return response;
  }
  if (!(await refreshSession())) {
    signedOutListeners.forEach((l) => l());
    return response;
  }
  return fetch(again);
}

export const api = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  credentials: 'same-origin',
  fetch: (request: Request) => sessionFetch(request),
});

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** Awaits a client call and returns its data, or throws an `ApiProblem`. */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    // Shown as the translated `errors:network`.
    throw new ApiProblem(0, undefined);
  }
  if (answer.error !== undefined || !answer.response.ok) {
    throw new ApiProblem(answer.response.status, answer.error as Partial<Schemas['Problem']>);
  }
  return answer.data as T;
}
