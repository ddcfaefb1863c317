import { describe, expect, it } from 'vitest';
import { diffWords, sameWords, words } from './diff';

const join = (parts: { kind: string; text: string }[], kinds: string[]) =>
  parts
    .filter((p) => kinds.includes(p.kind))
    .map((p) => p.text)
    .join('');

describe('words', () => {
  it('keeps the white space after each word', () => {
    expect(words('  Road works  on\nMain Street')).toEqual(['  ', 'Road ', 'works  ', 'on\n', 'Main ', 'Street']);
  });

  it('gives nothing for an empty text', () => {
    expect(words('')).toEqual([]);
  });
});

describe('diffWords', () => {
  it('finds nothing changed in equal texts', () => {
    expect(diffWords('The bridge is closed.', 'The bridge is closed.')).toEqual([
      { kind: 'same', text: 'The bridge is closed.' },
    ]);
  });

  it('marks a replaced word as removed and added', () => {
    expect(diffWords('The bridge is closed today.', 'The bridge is open today.')).toEqual([
      { kind: 'same', text: 'The bridge is ' },
      { kind: 'removed', text: 'closed ' },
      { kind: 'added', text: 'open ' },
      { kind: 'same', text: 'today.' },
    ]);
  });

  it('marks words added at the end and removed at the start', () => {
    expect(diffWords('Update: roads closed', 'roads closed until Monday')).toEqual([
      { kind: 'removed', text: 'Update: ' },
      { kind: 'same', text: 'roads closed ' },
      { kind: 'added', text: 'until Monday' },
    ]);
  });

  it('finds the longest common words, not just the common ends', () => {
    const parts = diffWords('a b c d e', 'a x c y e');
    expect(parts).toEqual([
      { kind: 'same', text: 'a ' },
      { kind: 'removed', text: 'b ' },
      { kind: 'added', text: 'x ' },
      { kind: 'same', text: 'c ' },
      { kind: 'removed', text: 'd ' },
      { kind: 'added', text: 'y ' },
      { kind: 'same', text: 'e' },
    ]);
  });

  it('rebuilds the new text from the unchanged and added parts', () => {
    const before = 'Vaccination centre open from 9 to 5.\n\nBring your ID card.';
    const after = 'Vaccination centre open from 8 to 6.\n\nBring your ID card and letter.';
    const parts = diffWords(before, after);
    expect(join(parts, ['same', 'added'])).toBe(after);
    expect(join(parts, ['same', 'removed']).replace(/\s+/g, ' ')).toBe(before.replace(/\s+/g, ' '));
  });

  it('handles an empty text on either side', () => {
    expect(diffWords('', 'New text')).toEqual([{ kind: 'added', text: 'New text' }]);
    expect(diffWords('Old text', '')).toEqual([{ kind: 'removed', text: 'Old text' }]);
    expect(diffWords('', '')).toEqual([]);
  });

  it('does not report white space changes alone', () => {
    expect(sameWords('one two\nthree', 'one  two three')).toBe(true);
    expect(sameWords('one two', 'one three')).toBe(false);
  });

  it('copes with long texts', () => {
    const before = Array.from({ length: 1500 }, (_, i) => `w${i}`).join(' ');
    const after = before.replace('w700', 'changed');
    const parts = diffWords(before, after);
    expect(parts.filter((p) => p.kind === 'removed')).toEqual([{ kind: 'removed', text: 'w700 ' }]);
    expect(parts.filter((p) => p.kind === 'added')).toEqual([{ kind: 'added', text: 'changed ' }]);
  });
});
