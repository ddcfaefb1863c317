// Who is signed in, for every screen: `/api/v1/me` through the query cache. The session itself
// is a pair of HttpOnly cookies (see `api/client.ts`); this module never sees a token.
import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, ApiProblem, call, onSignedOut, type Schemas } from '../api/client';

export type Me = Schemas['MeResponse'];
export type Role = Schemas['Role'];

type Session = {
  me: Me | null;
  loading: boolean;
  /** Why `/api/v1/me` could not be read (not a missing session, which is `me: null`). */
  error: unknown;
  reload: () => Promise<void>;
};

const SessionContext = createContext<Session>({
  me: null,
  loading: true,
  error: null,
  reload: async () => {},
});

export const meKey = ['me'] as const;

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const query = useQuery({
    queryKey: meKey,
    queryFn: async () => {
      try {
        return await call(api.GET('/api/v1/me'));
      } catch (e) {
        if (e && typeof e === 'object' && 'status' in e && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 60_000,
    retry: false,
  });
  useEffect(
    () =>
      onSignedOut(() => {
        client.setQueryData(meKey, null);
      }),
    [client],
  );
  const value: Session = {
    me: query.data ?? null,
    loading: query.isPending,
    error: query.error,
    reload: async () => {
      await client.invalidateQueries({ queryKey: meKey });
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  return useContext(SessionContext);
}

/** Signs out on the server (cookies cleared) and forgets every cached answer. Throws an
 * `ApiProblem` when the server did not end the session, so the person is not told they are
 * signed out while the cookies still work (a shared office computer). */
export function useSignOut(): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    let answer: Response;
    try {
      answer = await fetch('/api/v1/auth/web/logout', { method: 'POST', credentials: 'same-origin' });
    } catch {
      throw new ApiProblem(0, undefined);
    }
    if (!answer.ok) {
      throw new ApiProblem(answer.status, await answer.json().catch(() => undefined));
    }
    // `me` first, so every screen sees the sign-out; then forget everything else it cached.
    client.setQueryData(meKey, null);
    client.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
  };
}

/** The tenant of the current page (`/t/:tenant/...`) and the caller's role in it. */
export function useTenant(): { slug: string; role: Role | null; instanceAdmin: boolean } {
  const { tenant } = useParams();
  const { me } = useSession();
  const slug = tenant ?? '';
  const role = me?.memberships.find((m) => m.tenant === slug)?.role ?? null;
  return { slug, role, instanceAdmin: me?.instance_admin ?? false };
}

/** What a role may do in the UI; the server checks again on every request. */
export const can = {
  compose: (r: Role | null) => r === 'owner' || r === 'editor' || r === 'approver',
  approve: (r: Role | null) => r === 'owner' || r === 'approver',
  manage: (r: Role | null) => r === 'owner',
  audit: (r: Role | null) => r === 'owner' || r === 'records_officer',
};
