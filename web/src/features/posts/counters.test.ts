import { describe, expect, it } from 'vitest';
import { excerpt } from '../../components/text';
import { countGraphemes, limitFor } from './counters';
import { isoToWallTime, timeZones, wallTimeToRfc3339 } from './schedule';

describe('limits', () => {
  it('knows the networks and their image rules', () => {
    expect(limitFor('mastodon', {}, 0)).toBe(500);
    expect(limitFor('bluesky', {}, 2)).toBe(300);
    expect(limitFor('telegram', {}, 0)).toBe(4096);
    expect(limitFor('telegram', {}, 1)).toBe(1024);
  });

  it('shows no limit for webhooks and feeds unless their settings set one', () => {
    expect(limitFor('webhook', { url: 'https://x.example' }, 0)).toBeNull();
    expect(limitFor('feed', { title: 'News' }, 0)).toBeNull();
    expect(limitFor('webhook', { max_chars: 280 }, 0)).toBe(280);
    expect(limitFor('http-json', { max_chars: '1000' }, 0)).toBe(1000);
  });

  it('shows the server default for an HTTP JSON channel without its own limit', () => {
    expect(limitFor('http-json', { url: 'https://x.example' }, 0)).toBe(500);
    expect(limitFor('http-json', { url: 'https://x.example', max_chars: '' }, 0)).toBe(500);
  });

  it('counts what people see as characters', () => {
    expect(countGraphemes('é')).toBe(1);
    expect(countGraphemes('e\u0301')).toBe(1);
    expect(countGraphemes('🇳🇱 ok')).toBe(4);
  });

  it('cuts long texts to one line', () => {
    expect(excerpt('a\nb', 10)).toBe('a b');
    expect(excerpt('abcdefghij', 5)).toBe('abcd…');
    expect(excerpt('Roads closed in the centre', 16)).toBe('Roads closed in…');
    expect(excerpt('😀😀😀😀', 3)).toBe('😀😀…');
  });
});

describe('schedule', () => {
  it('turns a wall-clock time in a zone into RFC 3339 with that zone offset', () => {
    expect(wallTimeToRfc3339('2030-01-15T09:30', 'Europe/Amsterdam')).toBe('2030-01-15T09:30:00+01:00');
    expect(wallTimeToRfc3339('2030-07-15T09:30', 'Europe/Amsterdam')).toBe('2030-07-15T09:30:00+02:00');
    expect(wallTimeToRfc3339('2030-07-15T09:30', 'UTC')).toBe('2030-07-15T09:30:00+00:00');
    expect(wallTimeToRfc3339('', 'UTC')).toBeNull();
  });

  it('shows a stored instant as wall-clock time in its zone', () => {
    expect(isoToWallTime('2030-06-01T08:00:00Z', 'Europe/Amsterdam')).toBe('2030-06-01T10:00');
  });

  it('offers the zones the browser knows, with the tenant zone', () => {
    const zones = timeZones('Europe/Amsterdam');
    expect(zones).toContain('Europe/Amsterdam');
    expect(zones).toContain('UTC');
  });
});
