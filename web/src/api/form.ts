// Multipart uploads (images, plugins), which the typed client does not build: a FormData body
// sent with the session cookies through `sessionFetch`, answered like `call`: the JSON body,
// or an `ApiProblem` (status 0 when the server could not be reached).
import { ApiProblem, sessionFetch, type Schemas } from './client';

/** POSTs `form` to an API path (`/api/v1/...`) and returns the JSON answer. */
export async function postForm<T>(path: string, form: FormData): Promise<T> {
  const url = new URL(path, window.location.origin).toString();
  let response: Response;
  try {
    response = await sessionFetch(
      new Request(url, { method: 'POST', body: form, credentials: 'same-origin' }),
    );
  } catch {
    throw new ApiProblem(0, undefined);
  }
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    throw new ApiProblem(response.status, body as Partial<Schemas['Problem']> | undefined);
  }
  return body as T;
}
