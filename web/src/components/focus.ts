// Moving focus on purpose when an action removes or disables the control that had it (WCAG
// 2.4.3): to the next sensible control, back to the control that opened a panel, or to the
// screen's heading, so keyboard and screen-reader users do not land at the top of the page.
import { useCallback, useEffect, useRef, useState } from 'react';

/** The id of the screen's heading (`<Page>`'s h1, focusable by script). */
export const PAGE_TITLE = 'page-title';

/** An element, the id of one, or a function finding one at the moment focus moves. */
export type FocusTarget =
  | HTMLElement
  | string
  | null
  | undefined
  | (() => HTMLElement | null | undefined);

function resolve(target: FocusTarget): HTMLElement | null {
  const value = typeof target === 'function' ? target() : target;
  if (!value) return null;
  return typeof value === 'string' ? document.getElementById(value) : value;
}

/** Focuses the first target that is on the page and can take focus; whether one did. */
export function focusFirst(...targets: FocusTarget[]): boolean {
  for (const target of targets) {
    const el = resolve(target);
    if (!el || !el.isConnected || el.matches(':disabled') || el.closest('[hidden], [inert]')) continue;
    el.focus();
    if (document.activeElement === el) return true;
  }
  return false;
}

/** Focuses the screen's heading. */
export function focusHeading(): boolean {
  return focusFirst(PAGE_TITLE);
}

const controls =
  'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** The first control inside an element (a table row, a list item), if any. */
export function firstControlIn(element: Element | null | undefined): HTMLElement | null {
  return element?.querySelector<HTMLElement>(controls) ?? null;
}

/**
 * Returns `focusAfterRender(...targets)`: focuses the first usable target once React has shown
 * what the current action changed (a row gone, a panel closed, a button enabled again). Targets
 * given as ids or functions are looked up only then.
 */
export function useFocusAfterRender(): (...targets: FocusTarget[]) => void {
  const wanted = useRef<FocusTarget[] | null>(null);
  const [request, setRequest] = useState(0);
  useEffect(() => {
    const targets = wanted.current;
    if (!targets) return;
    wanted.current = null;
    focusFirst(...targets);
  }, [request]);
  return useCallback((...targets: FocusTarget[]) => {
    wanted.current = targets;
    setRequest((n) => n + 1);
  }, []);
}
