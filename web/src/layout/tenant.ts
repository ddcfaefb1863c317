// The current tenant's record (name, time zone) and crisis state, cached for every screen.
import { useQuery } from '@tanstack/react-query';
import { api, call } from '../api/client';

export function useTenantView(slug: string) {
  return useQuery({
    queryKey: ['tenant', slug, 'view'],
    queryFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}', { params: { path: { tenant: slug } } })),
    enabled: slug !== '',
    staleTime: 60_000,
  });
}

/** The tenant's time zone, or UTC while it loads. */
export function useTimeZone(slug: string): string {
  return useTenantView(slug).data?.settings.time_zone ?? 'UTC';
}

export function useCrisis(slug: string) {
  return useQuery({
    queryKey: ['tenant', slug, 'crisis'],
    queryFn: () =>
      call(api.GET('/api/v1/tenants/{tenant}/crisis', { params: { path: { tenant: slug } } })),
    enabled: slug !== '',
  });
}
