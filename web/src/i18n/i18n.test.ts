import { describe, expect, it } from 'vitest';
import { resources } from './index';

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );
}

function flat(lang: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [ns, tree] of Object.entries(resources()[lang] ?? {})) {
    const walk = (t: Tree, p: string) => {
      for (const [k, v] of Object.entries(t)) {
        if (typeof v === 'string') out.set(`${ns}:${p}${k}`, v);
        else walk(v, `${p}${k}.`);
      }
    };
    walk(tree, '');
  }
  return out;
}

describe('translations', () => {
  const en = flat('en');
  const nl = flat('nl');

  it('has English texts', () => {
    expect(en.size).toBeGreaterThan(50);
  });

  it('has every English key in Dutch, and no Dutch key without English', () => {
    const missingInDutch = [...en.keys()].filter((k) => !nl.has(k));
    const onlyInDutch = [...nl.keys()].filter((k) => !en.has(k));
    expect(missingInDutch).toEqual([]);
    expect(onlyInDutch).toEqual([]);
  });

  it('has no empty text', () => {
    const empty = [...en, ...nl].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('uses the same placeholders in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
    const differ = [...en].filter(([k, v]) => nl.has(k) && vars(v).join() !== vars(nl.get(k) ?? '').join());
    expect(differ.map(([k]) => k)).toEqual([]);
  });

  it('keys are nested objects, not dotted strings', () => {
    const dotted = Object.values(resources())
      .flatMap((nss) => Object.values(nss).flatMap((t) => keys(t)))
      .filter((k) => k.split('.').some((part) => part === ''));
    expect(dotted).toEqual([]);
  });
});
