// Data the dashboard, calendar, approval queue and crisis screens share: post lists (under the
// `['tenant', slug, 'posts', …]` keys that live updates refresh), members and channels by id,
// and short excerpts of a post's text.
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

/** Every member (all pages), as the server's list; an error for roles that may not list them.
 * The key and the shape are those of the members screen, which shares this cache entry. */
export function useMembers(slug: string) {
  return useQuery({
    queryKey: ['tenant', slug, 'members'],
    queryFn: async (): Promise<Schemas['MemberList']> => {
      const items: Schemas['MemberView'][] = [];
      let cursor: string | undefined;
      do {
        const page = await call(
          api.GET('/api/v1/tenants/{tenant}/members', {
            params: { path: { tenant: slug }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
          }),
        );
        items.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return { items, next_cursor: null };
    },
    enabled: slug !== '',
    staleTime: 60_000,
    retry: false,
  });
}

/** The tenant's channels, as the server's list (the key and shape the channel screens use). */
export function useChannels(slug: string) {
  return useQuery({
    queryKey: ['tenant', slug, 'channels'],
    queryFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}/channels', { params: { path: { tenant: slug } } })),
    enabled: slug !== '',
    staleTime: 60_000,
  });
}

/** Looks a person up by id: their name, or null when unknown. */
export function useNames(slug: string): (userId: string) => string | null {
  const members = useMembers(slug).data?.items ?? [];
  return (id) => {
    const m = members.find((member) => member.user_id === id);
    return m ? m.name || m.email : null;
  };
}

/** Looks a channel up by id: its name, or null when unknown. */
export function useChannelNames(slug: string): (channelId: string) => string | null {
  const channels = useChannels(slug).data?.items ?? [];
  return (id) => channels.find((c) => c.id === id)?.name ?? null;
}

/** The first words of a text, on one line. */
export function excerpt(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
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
