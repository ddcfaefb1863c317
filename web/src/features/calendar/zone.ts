// Wall-clock times in the tenant's time zone. The calendar widget works with the browser's
// zone, so it is given Dates whose fields (year … minute) are the tenant's wall-clock time; these
// helpers convert between such "wall" Dates and real instants.
import { TZDate } from '@date-fns/tz';

/** The tenant's wall-clock time of `instant`, as a browser-local Date with the same fields. */
export function toWall(instant: Date | string, zone: string): Date {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const z = new TZDate(ms, zone);
  return new Date(
    z.getFullYear(),
    z.getMonth(),
    z.getDate(),
    z.getHours(),
    z.getMinutes(),
    z.getSeconds(),
    z.getMilliseconds(),
  );
}

/** The instant whose wall-clock time in `zone` has the fields of `wall`. */
export function fromWall(wall: Date, zone: string): Date {
  const z = new TZDate(
    wall.getFullYear(),
    wall.getMonth(),
    wall.getDate(),
    wall.getHours(),
    wall.getMinutes(),
    wall.getSeconds(),
    wall.getMilliseconds(),
    zone,
  );
  return new Date(z.getTime());
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A wall Date as the value of an `<input type="datetime-local">`. */
export function toInputValue(wall: Date): string {
  return (
    `${wall.getFullYear()}-${pad(wall.getMonth() + 1)}-${pad(wall.getDate())}` +
    `T${pad(wall.getHours())}:${pad(wall.getMinutes())}`
  );
}

/** The wall Date of a `datetime-local` value, or null when it is not one. */
export function fromInputValue(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const wall = new Date(+y, +mo - 1, +d, +h, +mi, s ? +s : 0);
  return Number.isNaN(wall.getTime()) ? null : wall;
}

/** RFC 3339 (UTC) of the instant the tenant calls `wall`. */
export function wallToRfc3339(wall: Date, zone: string): string {
  return fromWall(wall, zone).toISOString();
}

/** `yyyy-MM-dd` of an instant in `zone`: the day it falls on there. */
export function dayKey(instant: Date | string, zone: string): string {
  return wallDayKey(toWall(instant, zone));
}

/** `yyyy-MM-dd` of a wall Date's fields. */
export function wallDayKey(wall: Date): string {
  return `${wall.getFullYear()}-${pad(wall.getMonth() + 1)}-${pad(wall.getDate())}`;
}
