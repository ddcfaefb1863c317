// Live updates: the tenant's server-sent events refresh what the screens show, and changes are
// announced in a polite live region for screen readers.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';

type Announce = (message: string) => void;
const AnnounceContext = createContext<Announce>(() => {});

export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const timer = useRef<number | undefined>(undefined);
  const announce = useCallback((m: string) => {
    // Clearing first makes a repeated message be read again.
    setMessage('');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setMessage(m), 50);
  }, []);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
        {message}
      </div>
    </AnnounceContext.Provider>
  );
}

type PostEvent = {
  post_id: string;
  status: string;
  target_id?: string | null;
  target_status?: string | null;
};

/** Subscribes to `/api/v1/tenants/{tenant}/events` while a tenant's screens are shown. */
export function useLiveEvents(tenant: string) {
  const client = useQueryClient();
  const announce = useAnnounce();
  const { t } = useTranslation();
  useEffect(() => {
    if (!tenant || typeof EventSource === 'undefined') return;
    const source = new EventSource(`/api/v1/tenants/${encodeURIComponent(tenant)}/events`);
    const refresh = (postId?: string) => {
      void client.invalidateQueries({ queryKey: ['tenant', tenant, 'posts'] });
      if (postId) void client.invalidateQueries({ queryKey: ['tenant', tenant, 'post', postId] });
      void client.invalidateQueries({ queryKey: ['tenant', tenant, 'dashboard'] });
    };
    source.addEventListener('post', (e) => {
      try {
        const event = JSON.parse((e as MessageEvent<string>).data) as PostEvent;
        refresh(event.post_id);
        announce(
          t('common:live.post_status', {
            status: t(`common:status.${event.status}`, { defaultValue: event.status }),
          }),
        );
      } catch {
        refresh();
      }
    });
    source.addEventListener('resync', () => refresh());
    return () => source.close();
  }, [tenant, client, announce, t]);
}
