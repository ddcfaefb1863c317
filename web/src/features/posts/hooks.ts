// The data the post screens share: one post and its images, through the query cache under
// `['tenant', slug, …]` so live updates refresh them. Channels and members come from their own
// features (channels/hooks.ts, members/hooks.ts).
import { useEffect, useState } from 'react';
import { useQueries, useQuery, type QueryClient } from '@tanstack/react-query';
import { api, call, type Schemas } from '../../api/client';
import { postForm } from '../../api/form';

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
  const media = await postForm<MediaView>(
    `/api/v1/tenants/${encodeURIComponent(slug)}/media`,
    form,
  );
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
