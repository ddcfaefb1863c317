// The tenant's channels, one cache entry for every screen: the channel screens, the composer,
// the post pages, the dashboard, approvals and crisis mode.
import { useMemo } from 'react';
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

/** Looks a channel up by id: its name, or null when unknown. */
export function useChannelName(slug: string): (channelId: string) => string | null {
  const data = useChannels(slug).data;
  return useMemo(() => {
    const names = new Map((data?.items ?? []).map((c) => [c.id, c.name]));
    return (id: string) => names.get(id) ?? null;
  }, [data]);
}
