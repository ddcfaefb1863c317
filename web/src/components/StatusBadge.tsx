// A post's or target's status as text with a symbol: never by colour alone.
import { useTranslation } from 'react-i18next';

const symbols: Record<string, string> = {
  draft: '✎',
  in_review: '◔',
  approved: '✓',
  publishing: '↻',
  published: '●',
  partially_published: '◐',
  failed: '✕',
  cancelled: '⊘',
  pending: '○',
  unknown: '?',
  deleted: '⌫',
  held: '⏸',
  active: '●',
  needs_reconnect: '!',
  disabled: '⊘',
  disconnected: '⊘',
};

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge-${status}`}>
      <span aria-hidden="true">{symbols[status] ?? '•'} </span>
      <span className="badge-label">{t(`common:status.${status}`, { defaultValue: status })}</span>
    </span>
  );
}
