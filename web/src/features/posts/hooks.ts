// The data the post screens share: channels, one post, images and members, all through the
// query cache under `['tenant', slug, …]` so live updates refresh them.
import { useEffect, useState } from 'react';
import { useQueries, useQuery, type QueryClient } from '@tanstack/react-query';
import { api, ApiProblem, call, sessionFetch, type Schemas } from '../../api/client';

export type PostView = Schemas['PostView'];
export type ChannelView = Schemas['ChannelView'];
export type MediaView = Schemas['MediaView'];
export type TargetView = Schemas['TargetView'];
export type ProblemItem = Schemas['ProblemItem'];

export const postKey = (slug: string, id: string) => ['tenant', slug, 'post', id] as const;
export const postsKey = (slug: string) => ['tenant', slug, 'posts'] as const;
export const mediaKey = (slug: string, id: string) => ['tenant', slug, 'media', id] as const;

export function mediaContentUrl(slug: string, id: string): string {
  return `/api/v1/tenants/${encodeURIComponent(slug)}/media/${encodeURIComponent(id)}/content`;
}

export function useChannels(slug: string) {
  return useQuery({
    queryKey: ['tenant', slug, 'channels'],
    queryFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}/channels', { params: { path: { tenant: slug } } })),
    enabled: slug !== '',
  });
}

export function usePost(slug: string, id: string | undefined) {
  return useQuery({
    queryKey: postKey(slug, id ?? ''),
    queryFn: () =>
      call(
        api.GET('/api/v1/tenants/{tenant}/posts/{id}', {
          params: { path: { tenant: slug, id: id ?? '' } },
        }),
      ),
    enabled: slug !== '' && !!id,
  });
}

/** The details (alt text) of some uploaded images, in the order given. */
export function useMediaList(slug: string, ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: mediaKey(slug, id),
      queryFn: () =>
        call(
          api.GET('/api/v1/tenants/{tenant}/media/{id}', {
            params: { path: { tenant: slug, id } },
          }),
        ),
      staleTime: Infinity,
    })),
  });
}

/** The tenant's members, to show names instead of ids; empty for roles that may not read them. */
export function useMemberNames(slug: string): Map<string, string> {
  const query = useQuery({
    queryKey: ['tenant', slug, 'members', 'names'],
    queryFn: () =>
      call(
        api.GET('/api/v1/tenants/{tenant}/members', {
          params: { path: { tenant: slug }, query: { limit: 200 } },
        }),
      ),
    enabled: slug !== '',
    retry: false,
    staleTime: 60_000,
  });
  const names = new Map<string, string>();
  for (const m of query.data?.items ?? []) names.set(m.user_id, m.name || m.email);
  return names;
}

/** Uploads one image with its alt text (`multipart/form-data`: `file`, `alt_text`). */
export async function uploadMedia(
  slug: string,
  file: File,
  altText: string,
  client?: QueryClient,
): Promise<MediaView> {
  const form = new FormData();
  form.append('file', file, file.name);
  form.append('alt_text', altText);
  const url = new URL(
    `/api/v1/tenants/${encodeURIComponent(slug)}/media`,
    window.location.origin,
  ).toString();
  let response: Response;
  try {
    response = await sessionFetch(
      new Request(url, { method: 'POST', body: form, credentials: 'same-origin' }),
    );
  } catch {
    throw new ApiProblem(0, { detail: 'The server could not be reached.' });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    throw new ApiProblem(response.status, body as Partial<Schemas['Problem']> | undefined);
  }
  const media = body as MediaView;
  client?.setQueryData(mediaKey(slug, media.id), media);
  return media;
}

/** `value`, once it has stayed the same for `ms` milliseconds. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => window.clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** What the connectors say about a post's content (`POST …/posts/validate`). */
export type Validation = Schemas['PostCheck'];

/** The connectors' own checks; `null` when the server cannot check (e.g. an older server). */
export async function validatePost(
  slug: string,
  body: Schemas['CreatePostRequest'],
): Promise<Validation | null> {
  try {
    return await call(
      api.POST('/api/v1/tenants/{tenant}/posts/validate', {
        params: { path: { tenant: slug } },
        body,
      }),
    );
  } catch {
    return null;
  }
}
