// How long a text may be on each network, counted as people see characters (graphemes: one
// emoji or one accented letter is one). The connectors check again on the server; this table
// only drives the live counter of the composer.

/** Characters a network takes; `withImages` when the post carries images (Telegram captions). */
type Rule = { text: number; withImages?: number };

const rules: Record<string, Rule> = {
  mastodon: { text: 500 },
  bluesky: { text: 300 },
  telegram: { text: 4096, withImages: 1024 },
};

function settingsLimit(settings: unknown): number | null {
  if (!settings || typeof settings !== 'object') return null;
  const value = (settings as Record<string, unknown>).max_chars;
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
}

/** What a channel takes when its settings give no `max_chars` (the server's own default). */
const defaults: Record<string, number> = {
  'http-json': 500,
};

/** The limit for a channel, or `null` when its network sets none worth showing. Other
 * networks (webhooks, feeds) have a limit only when the channel's own `settings.max_chars`
 * sets one; HTTP JSON channels have the server's default until they set their own. */
export function limitFor(plugin: string, settings: unknown, imageCount: number): number | null {
  const own = settingsLimit(settings);
  const rule = rules[plugin];
  if (!rule) return own ?? defaults[plugin] ?? null;
  const base = imageCount > 0 && rule.withImages !== undefined ? rule.withImages : rule.text;
  return own !== null ? Math.min(own, base) : base;
}

let segmenter: Intl.Segmenter | null | undefined;

/** Characters as people count them. */
export function countGraphemes(text: string): number {
  if (segmenter === undefined) {
    segmenter =
      typeof Intl !== 'undefined' && 'Segmenter' in Intl
        ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
        : null;
  }
  if (!segmenter) return Array.from(text).length;
  return Array.from(segmenter.segment(text)).length;
}
