// Data the dashboard, calendar, approval queue and crisis screens share: post lists (under the
// `['tenant', slug, 'posts', …]` keys that live updates refresh) and what a post waits for.
// Names of members and channels come from members/hooks.ts and channels/hooks.ts.
import { useQuery } from '@tanstack/react-query';
import { api, call, type Schemas } from '../../api/client';
import type { paths } from '../../api/schema';

export type Post = Schemas['PostView'];
export type PostStatus = Schemas['PostStatus'];
export type PostFilter = NonNullable<
  paths['/api/v1/tenants/{tenant}/posts']['get']['parameters']['query']
>;

/** Every post matching `filter`, following `next_cursor` for at most `maxPages` pages. */
export async function fetchPosts(slug: string, filter: PostFilter, maxPages = 5): Promise<Post[]> {
  const out: Post[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const query: PostFilter = cursor ? { ...filter, cursor } : filter;
    const list = await call(
      api.GET('/api/v1/tenants/{tenant}/posts', { params: { path: { tenant: slug }, query } }),
    );
    out.push(...list.items);
    if (!list.next_cursor) break;
    cursor = list.next_cursor;
  }
  return out;
}

/** Every post matching `filter` (as an array), under `['tenant', slug, 'posts', 'all', filter]`. */
export function usePosts(slug: string, filter: PostFilter, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: ['tenant', slug, 'posts', 'all', filter],
    queryFn: () => fetchPosts(slug, filter),
    enabled: slug !== '' && (options.enabled ?? true),
  });
}

/** Targets of a post that wait for a person to confirm or cancel them. */
export function targetsNeedingConfirmation(post: Post) {
  return post.targets.filter((t) => t.needs_confirmation);
}

/** Whether `role` may approve the step a post in review waits at (owners approve any step). */
export function mayApproveStep(post: Post, role: string | null): boolean {
  const step = post.approval?.steps[post.approval.current_step];
  if (!step) return false;
  return role === 'owner' || (role === 'approver' && step.role === 'approver');
}
