// Live updates: the tenant's server-sent events refresh what the screens show, and changes are
// announced in a polite live region for screen readers.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { refreshSession } from '../api/client';

type Announce = (message: string) => void;
const AnnounceContext = createContext<Announce>(() => {});

export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const pending = useRef<string[]>([]);
  const timer = useRef<number | undefined>(undefined);
  const announce = useCallback((m: string) => {
    // Messages arriving together are read together; clearing first makes a repeated message be
    // read again.
    pending.current.push(m);
    setMessage('');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => {
      setMessage(pending.current.join(' '));
      pending.current = [];
    }, 50);
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

/** Subscribes to `/api/v1/tenants/{tenant}/events` while a tenant's screens are shown. A change
 * of the post on screen is announced; others only refresh what is shown. When the stream fails
 * (its access cookie ran out, the server restarted) the session is renewed and the stream
 * reopened, waiting longer after each failure. */
export function useLiveEvents(tenant: string) {
  const client = useQueryClient();
  const announce = useAnnounce();
  const { t } = useTranslation();
  const location = useLocation();
  const shown = useRef(location.pathname);
  shown.current = location.pathname;
  useEffect(() => {
    if (!tenant || typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let retry: number | undefined;
    let failures = 0;
    let stopped = false;
    const refresh = (postId?: string) => {
      void client.invalidateQueries({ queryKey: ['tenant', tenant, 'posts'] });
      if (postId) void client.invalidateQueries({ queryKey: ['tenant', tenant, 'post', postId] });
      void client.invalidateQueries({ queryKey: ['tenant', tenant, 'dashboard'] });
      void client.invalidateQueries({ queryKey: ['tenant', tenant, 'crisis'] });
    };
    const open = () => {
      source = new EventSource(`/api/v1/tenants/${encodeURIComponent(tenant)}/events`);
      source.addEventListener('open', () => {
        failures = 0;
      });
      source.addEventListener('post', (e) => {
        try {
          const event = JSON.parse((e as MessageEvent<string>).data) as PostEvent;
          refresh(event.post_id);
          if (shown.current.includes(event.post_id)) {
            announce(
              t('common:live.post_status', {
                status: t(`common:status.${event.status}`, { defaultValue: event.status }),
              }),
            );
          }
        } catch {
          refresh();
        }
      });
      source.addEventListener('resync', () => refresh());
      source.addEventListener('error', () => {
        if (source?.readyState !== EventSource.CLOSED || stopped) return;
        failures += 1;
        const wait = Math.min(60_000, 1000 * 2 ** Math.min(failures, 6));
        retry = window.setTimeout(async () => {
          await refreshSession();
          if (!stopped) {
            refresh();
            open();
          }
        }, wait);
      });
    };
    open();
    return () => {
      stopped = true;
      window.clearTimeout(retry);
      source?.close();
    };
  }, [tenant, client, announce, t]);
}
