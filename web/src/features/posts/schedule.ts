// A schedule as people choose it (a wall-clock time in a named time zone) and as the server
// takes it (RFC 3339 with the zone's offset at that moment).
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';

const localPattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `2025-06-01T10:00` in `Europe/Amsterdam` → `2025-06-01T10:00:00+02:00`; `null` if not a time. */
export function wallTimeToRfc3339(local: string, zone: string): string | null {
  const m = localPattern.exec(local);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  try {
    const at = new TZDate(+y, +mo - 1, +d, +h, +mi, s ? +s : 0, zone);
    if (Number.isNaN(at.getTime())) return null;
    return format(at, "yyyy-MM-dd'T'HH:mm:ssxxx");
  } catch {
    return null;
  }
}

/** An instant → the `datetime-local` value of its wall-clock time in `zone`. */
export function isoToWallTime(iso: string, zone: string): string {
  try {
    return format(new TZDate(iso, zone), "yyyy-MM-dd'T'HH:mm");
  } catch {
    return '';
  }
}

const fallbackZones = [
  'UTC',
  'Europe/Amsterdam',
  'Europe/Brussels',
  'Europe/Berlin',
  'Europe/London',
  'Europe/Paris',
  'America/Curacao',
  'America/Aruba',
  'America/Paramaribo',
  'America/New_York',
  'Asia/Tokyo',
];

/** The IANA time zones the browser knows, always including `extra` (e.g. the tenant's). */
export function timeZones(...extra: string[]): string[] {
  let all: string[] = fallbackZones;
  try {
    const supported = (
      Intl as unknown as { supportedValuesOf?: (key: string) => string[] }
    ).supportedValuesOf?.('timeZone');
    if (supported && supported.length > 0) all = supported;
  } catch {
    // An older browser: the short list.
  }
  const set = new Set(all);
  const missing = extra.filter((z) => z && !set.has(z));
  return [...missing, ...all, ...(set.has('UTC') || missing.includes('UTC') ? [] : ['UTC'])];
}
