// Short forms of a text for headings, links and lists.

/**
 * The start of a text on one line, at most `max` characters (as code points, so an emoji is
 * never cut in half) including the ellipsis added when it is cut; cut after a whole word when
 * one ends in the second half.
 */
export function excerpt(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(line);
  if (chars.length <= max) return line;
  // A space right after the last character that fits still ends a whole word.
  const room = chars.slice(0, max).join('');
  const space = room.lastIndexOf(' ');
  const cut = space > room.length / 2 ? room.slice(0, space) : chars.slice(0, Math.max(1, max - 1)).join('');
  return `${cut.trimEnd()}…`;
}
