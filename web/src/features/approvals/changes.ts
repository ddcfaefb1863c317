// What changed between two revisions of a post, as a list a reviewer can read: word differences
// of the text and of each channel's own text, and the channels, schedule, images and campaign
// in words.
import type { Schemas } from '../../api/client';
import { diffWords, sameWords, type DiffPart } from './diff';

export type Revision = Schemas['RevisionView'];

export type Change =
  | { kind: 'body'; parts: DiffPart[] }
  | { kind: 'variant_changed'; channel: string; parts: DiffPart[] }
  | { kind: 'variant_added'; channel: string; text: string }
  | { kind: 'variant_removed'; channel: string; text: string }
  | { kind: 'channel_added'; channel: string }
  | { kind: 'channel_removed'; channel: string }
  | { kind: 'schedule'; before: string | null; after: string | null }
  | { kind: 'time_zone'; before: string; after: string }
  | { kind: 'media_added'; count: number }
  | { kind: 'media_removed'; count: number }
  | { kind: 'media_reordered' }
  | { kind: 'campaign'; before: string | null; after: string | null };

const sameInstant = (a: string | null | undefined, b: string | null | undefined) =>
  (a ?? null) === (b ?? null) || (a != null && b != null && Date.parse(a) === Date.parse(b));

export function revisionChanges(before: Revision, after: Revision): Change[] {
  const out: Change[] = [];
  if (!sameWords(before.body, after.body)) {
    out.push({ kind: 'body', parts: diffWords(before.body, after.body) });
  }

  const variantsBefore: Record<string, string> = before.variants ?? {};
  const variantsAfter: Record<string, string> = after.variants ?? {};
  const variantChannels = [...new Set([...Object.keys(variantsBefore), ...Object.keys(variantsAfter)])];
  for (const channel of variantChannels) {
    const a = variantsBefore[channel];
    const b = variantsAfter[channel];
    if (a === undefined && b !== undefined) out.push({ kind: 'variant_added', channel, text: b });
    else if (a !== undefined && b === undefined) out.push({ kind: 'variant_removed', channel, text: a });
    else if (a !== undefined && b !== undefined && !sameWords(a, b)) {
      out.push({ kind: 'variant_changed', channel, parts: diffWords(a, b) });
    }
  }

  for (const channel of after.channels) {
    if (!before.channels.includes(channel)) out.push({ kind: 'channel_added', channel });
  }
  for (const channel of before.channels) {
    if (!after.channels.includes(channel)) out.push({ kind: 'channel_removed', channel });
  }

  if (!sameInstant(before.scheduled_at, after.scheduled_at)) {
    out.push({ kind: 'schedule', before: before.scheduled_at ?? null, after: after.scheduled_at ?? null });
  }
  if (before.time_zone !== after.time_zone) {
    out.push({ kind: 'time_zone', before: before.time_zone, after: after.time_zone });
  }

  const added = after.media.filter((m) => !before.media.includes(m)).length;
  const removed = before.media.filter((m) => !after.media.includes(m)).length;
  if (added > 0) out.push({ kind: 'media_added', count: added });
  if (removed > 0) out.push({ kind: 'media_removed', count: removed });
  if (added === 0 && removed === 0 && before.media.join() !== after.media.join()) {
    out.push({ kind: 'media_reordered' });
  }

  if ((before.campaign ?? null) !== (after.campaign ?? null)) {
    out.push({ kind: 'campaign', before: before.campaign ?? null, after: after.campaign ?? null });
  }
  return out;
}

/** The latest revision and the one before it, from a list ordered oldest first. */
export function lastTwo(revisions: Revision[]): { previous: Revision | null; latest: Revision | null } {
  const sorted = [...revisions].sort((a, b) => a.revision - b.revision);
  return {
    latest: sorted[sorted.length - 1] ?? null,
    previous: sorted.length > 1 ? sorted[sorted.length - 2] : null,
  };
}
