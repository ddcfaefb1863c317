// What the dashboard's cards show, worked out from post lists.
import { dayKey, toWall, wallDayKey } from '../calendar/zone';
import { mayApproveStep, targetsNeedingConfirmation, type Post } from './lookups';

/** Approved posts still to go out, soonest first. */
export function nextScheduled(approved: Post[], now: number, count = 5): Post[] {
  return approved
    .filter((p) => p.scheduled_at && Date.parse(p.scheduled_at) >= now)
    .sort((a, b) => Date.parse(a.scheduled_at ?? '') - Date.parse(b.scheduled_at ?? ''))
    .slice(0, count);
}

/** Posts in review that this person may approve now: not their own, a step for their role,
 * and not approved by them already. */
export function waitingFor(inReview: Post[], me: string | undefined, role: string | null): Post[] {
  return inReview.filter(
    (p) =>
      p.author_id !== me &&
      mayApproveStep(p, role) &&
      !p.approval?.approvals.some((a) => a.user_id === me && a.step === p.approval?.current_step),
  );
}

export type Attention = { post: Post; reason: 'failed' | 'partially_published' | 'confirm'; channels: string[] };

/** Failed or partly published posts, and posts with a target that waits for a person. */
export function needingAttention(posts: Post[]): Attention[] {
  const seen = new Set<string>();
  const out: Attention[] = [];
  for (const post of posts) {
    if (seen.has(post.id)) continue;
    const waiting = targetsNeedingConfirmation(post).map((t) => t.channel_id);
    if (waiting.length > 0) {
      out.push({ post, reason: 'confirm', channels: waiting });
    } else if (post.status === 'failed' || post.status === 'partially_published') {
      const failed = post.targets
        .filter((t) => t.status === 'failed' || t.status === 'unknown')
        .map((t) => t.channel_id);
      out.push({ post, reason: post.status, channels: failed });
    } else {
      continue;
    }
    seen.add(post.id);
  }
  return out.sort((a, b) => Date.parse(b.post.updated_at) - Date.parse(a.post.updated_at));
}

/** When a post went out: its first target's publication, else its last change. */
export function publishedAt(post: Post): string {
  const times = post.targets
    .map((t) => t.published_at)
    .filter((t): t is string => typeof t === 'string')
    .sort((a, b) => Date.parse(a) - Date.parse(b));
  return times[0] ?? post.updated_at;
}

/** Posts published per day over the `days` days up to today, in the tenant's time zone. */
export function publishedPerDay(
  posts: Post[],
  zone: string,
  now: number,
  days = 14,
): { day: string; count: number }[] {
  // Days are counted on the calendar (wall-clock) date, so a day of 23 or 25 hours is still one day.
  const today = toWall(new Date(now), zone);
  const keys: string[] = [];
  for (let i = days - 1; i >= 0; i--) {
    keys.push(wallDayKey(new Date(today.getFullYear(), today.getMonth(), today.getDate() - i)));
  }
  const counts = new Map(keys.map((k) => [k, 0]));
  for (const post of posts) {
    const key = dayKey(publishedAt(post), zone);
    if (counts.has(key)) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return keys.map((day) => ({ day, count: counts.get(day) ?? 0 }));
}
