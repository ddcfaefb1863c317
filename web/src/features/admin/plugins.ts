// The installed plugins, one cache entry for the plugin administration and the channel screens
// (which connectors can be chosen).
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

export const pluginsKey = ['plugins'] as const;

/** The installed plugins: what each is, whether it is enabled and the hosts it may reach. */
export function usePlugins() {
  return useQuery({
    queryKey: pluginsKey,
    queryFn: () => call(api.GET('/api/v1/plugins')),
    staleTime: 60_000,
  });
}
