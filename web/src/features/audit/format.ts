// Helpers of the audit screen: days as instants in the tenant's zone, a one-line summary of an
// event's details, and the actions the server records (offered while typing a filter).
import { TZDate } from '@date-fns/tz';

/**
 * The instant (UTC, RFC 3339) at which the day `yyyy-mm-dd` (plus `addDays`) begins in `zone`:
 * a filter "from 3 March" starts at that midnight where the tenant is, not in the browser's zone.
 */
export function zonedDayStart(date: string, zone: string, addDays: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const start = new TZDate(y, m - 1, d + addDays, 0, 0, 0, 0, zone);
  return new Date(start.getTime()).toISOString();
}

function short(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(short).join(', ');
  return JSON.stringify(value);
}

/** `key: value; key: value`, at most `max` characters. */
export function summarise(details: unknown, max = 120): string {
  if (details === null || details === undefined) return '';
  const text =
    typeof details === 'object' && !Array.isArray(details)
      ? Object.entries(details as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${short(v)}`)
          .join('; ')
      : short(details);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export const knownActions = [
  'auth.login',
  'auth.logout',
  'auth.lockout',
  'auth.mfa',
  'auth.password_change',
  'auth.recovery_code_used',
  'auth.unlock',
  'channel.connect',
  'channel.disconnect',
  'channel.needs_reconnect',
  'channel.reconnect',
  'crisis.activate',
  'crisis.release',
  'crisis.update',
  'media.upload',
  'member.add',
  'member.remove',
  'member.role_change',
  'mfa.enabled',
  'mfa.reset',
  'post.approve',
  'post.cancel',
  'post.comment',
  'post.create',
  'post.delete',
  'post.delete_remote',
  'post.edit',
  'post.publish',
  'post.reject',
  'post.schedule',
  'post.submit',
  'tenant.settings_change',
];
