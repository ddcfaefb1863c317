// The tenant's members, one cache entry for every screen: the members screen, the audit log,
// and the names of authors, approvers and commenters elsewhere.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, call, type Schemas } from '../../api/client';

/** Query key of the tenant's members. */
export const membersKey = (slug: string) => ['tenant', slug, 'members'] as const;

/** Every member (all pages), as one list; an error for roles that may not list them. */
export function useMembers(slug: string) {
  return useQuery({
    queryKey: membersKey(slug),
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
  });
}

/** Looks a person up by user id: their name (or e-mail address), or null when unknown. */
export function useMemberName(slug: string): (userId: string) => string | null {
  const data = useMembers(slug).data;
  return useMemo(() => {
    const names = new Map((data?.items ?? []).map((m) => [m.user_id, m.name || m.email]));
    return (id: string) => names.get(id) ?? null;
  }, [data]);
}
