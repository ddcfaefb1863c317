// A word-level difference of two texts by their longest common subsequence of words, for
// reviewers who compare a post's versions. Each word carries the white space after it; words
// are compared without it, so a changed line break alone is not reported.

export type DiffPart = { kind: 'same' | 'added' | 'removed'; text: string };

/** Splits a text into words, each with the white space that follows it; leading white space
 * stays a token of its own. */
export function words(text: string): string[] {
  const out: string[] = [];
  const lead = /^\s+/.exec(text);
  if (lead) out.push(lead[0]);
  for (const m of text.matchAll(/\S+\s*/g)) out.push(m[0]);
  return out;
}

const bare = (token: string) => token.trim();

/** Above this many cells the table of common lengths is not built: the whole text counts as
 * replaced instead (about 2,000 × 2,000 words). */
const MAX_CELLS = 4_000_000;

function push(out: DiffPart[], kind: DiffPart['kind'], text: string) {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.kind === kind) last.text += text;
  else out.push({ kind, text });
}

/** The parts of `after`, with what `before` had and `after` has not marked removed and what is
 * new marked added. Joining the `same` and `added` parts gives `after` (white space after an
 * unchanged word is taken from `after`); joining `same` and `removed` gives `before` up to that
 * white space. */
export function diffWords(before: string, after: string): DiffPart[] {
  const a = words(before);
  const b = words(after);
  const out: DiffPart[] = [];

  // Common start and end need no table.
  let start = 0;
  while (start < a.length && start < b.length && bare(a[start]) === bare(b[start])) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && bare(a[endA - 1]) === bare(b[endB - 1])) {
    endA--;
    endB--;
  }
  for (let i = 0; i < start; i++) push(out, 'same', b[i]);

  const n = endA - start;
  const m = endB - start;
  if (n > 0 && m > 0 && n * m <= MAX_CELLS) {
    // lcs[i * (m + 1) + j]: length of the longest common subsequence of a[start+i..] and b[start+j..].
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] =
          bare(a[start + i]) === bare(b[start + j])
            ? lcs[(i + 1) * width + j + 1] + 1
            : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (bare(a[start + i]) === bare(b[start + j])) {
        push(out, 'same', b[start + j]);
        i++;
        j++;
      } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
        push(out, 'removed', a[start + i]);
        i++;
      } else {
        push(out, 'added', b[start + j]);
        j++;
      }
    }
    for (; i < n; i++) push(out, 'removed', a[start + i]);
    for (; j < m; j++) push(out, 'added', b[start + j]);
  } else {
    for (let i = start; i < endA; i++) push(out, 'removed', a[i]);
    for (let j = start; j < endB; j++) push(out, 'added', b[j]);
  }

  for (let j = endB; j < b.length; j++) push(out, 'same', b[j]);
  return out;
}

/** True when the two texts have the same words. */
export function sameWords(before: string, after: string): boolean {
  return diffWords(before, after).every((p) => p.kind === 'same');
}
