// The list of what to fix after a failed submit, announced once (role="alert") and linking to
// each field. The errors themselves stay under their fields (see Field), tied to the control
// and read with it, but not announced there, so nothing is read twice.
import type { FieldErrors } from 'react-hook-form';
import { useTranslation } from 'react-i18next';

export type SummaryItem = {
  /** The id of the control to go to; without one the message is shown as text. */
  id?: string;
  /** The name of the field (its label or legend), put before the message. */
  label?: string;
  message: string;
};

/** The words of a control's label, or of a group's legend. */
function labelOf(el: Element | null): string | undefined {
  if (!el) return undefined;
  const labels = (el as HTMLInputElement).labels;
  const text =
    labels && labels.length > 0
      ? labels[0].textContent
      : el instanceof HTMLFieldSetElement
        ? el.querySelector('legend')?.textContent
        : undefined;
  return text?.replace(/\s+/g, ' ').trim() || undefined;
}

/**
 * Every error of a react-hook-form form, in form order. `text` turns a message (often a key or
 * code) into the words shown under the field; `idOf` names a control that has no element of its
 * own registered (a group of checkboxes); otherwise the registered element's id is used.
 */
export function errorItems(
  errors: FieldErrors,
  text: (message: string) => string | undefined = (m) => m,
  idOf?: (path: string) => string | undefined,
): SummaryItem[] {
  const out: SummaryItem[] = [];
  const walk = (node: FieldErrors, prefix: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (!value || typeof value !== 'object' || key === 'ref') continue;
      const path = prefix ? `${prefix}.${key}` : key;
      const error = value as { message?: unknown; type?: unknown; ref?: unknown };
      if (typeof error.message === 'string' && error.message && typeof error.type === 'string') {
        const ref = error.ref instanceof HTMLElement ? error.ref : null;
        const id = idOf?.(path) ?? (ref?.id || undefined);
        const control = ref ?? (id ? document.getElementById(id) : null);
        out.push({ id, label: labelOf(control), message: text(error.message) ?? error.message });
      } else {
        walk(value as FieldErrors, path);
      }
    }
  };
  walk(errors, '');
  return out;
}

/**
 * Shown while `items` is not empty. `attempt` (the form's submit count) makes a repeated failed
 * submit announce the summary again.
 */
export function ErrorSummary({ items, attempt }: { items: SummaryItem[]; attempt?: number }) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <div className="problem error-summary" role="alert" key={attempt}>
      <p>
        <strong>{t('common:error_summary', { count: items.length })}</strong>
      </p>
      <ul>
        {items.map((item, i) => {
          const words = item.label ? `${item.label}: ${item.message}` : item.message;
          return (
            <li key={`${i}-${item.id ?? ''}-${item.message}`}>
              {item.id ? (
                <a
                  href={`#${item.id}`}
                  onClick={(e) => {
                    const target = item.id ? document.getElementById(item.id) : null;
                    if (!target) return;
                    e.preventDefault();
                    target.focus();
                    target.scrollIntoView?.({ block: 'center' });
                  }}
                >
                  {words}
                </a>
              ) : (
                words
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
