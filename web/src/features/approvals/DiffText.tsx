// A word difference shown with <ins>/<del>, each also named in words for screen readers and
// marked by underline or strike-through, so it is never told by colour alone.
import { useTranslation } from 'react-i18next';
import type { DiffPart } from './diff';

export function DiffText({ parts, label }: { parts: DiffPart[]; label?: string }) {
  const { t } = useTranslation();
  return (
    <p className="diff preview" aria-label={label}>
      {parts.map((part, i) => {
        if (part.kind === 'same') return <span key={i}>{part.text}</span>;
        if (part.kind === 'added') {
          return (
            <ins key={i}>
              <span className="visually-hidden">{t('approvals:diff.added')} </span>
              {part.text}
            </ins>
          );
        }
        return (
          <del key={i}>
            <span className="visually-hidden">{t('approvals:diff.removed')} </span>
            {part.text}
          </del>
        );
      })}
    </p>
  );
}
