// The tenant's channels, one cache entry for every screen: the channel screens, the composer,
// the post pages, the dashboard, approvals and crisis mode.
import { useEffect, useMemo, useRef } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

export const channelsKey = (slug: string) => ['tenant', slug, 'channels'] as const;

/** The tenant's channels, as the server lists them. */
export function useChannels(slug: string) {
  return useQuery({
    queryKey: channelsKey(slug),
    queryFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}/channels', { params: { path: { tenant: slug } } })),
    enabled: slug !== '',
    staleTime: 60_000,
  });
}

/** Looks a channel up by id: its name, or null when unknown. An id the cached list does not
 * know (a channel connected since it was fetched) makes it fetch the list again, once per id,
 * so the name appears without a reload. */
export function useChannelName(slug: string): (channelId: string) => string | null {
  const query = useChannels(slug);
  const data = query.data;
  const missed = useRef(new Set<string>());
  const refetched = useRef(new Set<string>());
  const lookup = useMemo(() => {
    const names = new Map((data?.items ?? []).map((c) => [c.id, c.name]));
    return (id: string) => {
      const name = names.get(id);
      if (name === undefined && data) missed.current.add(id);
      return name ?? null;
    };
  }, [data]);
  // After every render: fetch again for ids looked up in vain that were not asked about yet.
  useEffect(() => {
    const fresh = [...missed.current].filter((id) => !refetched.current.has(id));
    missed.current.clear();
    if (fresh.length === 0 || query.isFetching) return;
    for (const id of fresh) refetched.current.add(id);
    // Joins a fetch another screen part started for the same reason instead of repeating it.
    void query.refetch({ cancelRefetch: false });
  });
  return lookup;
}
