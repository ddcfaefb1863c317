// A word difference shown with <ins>/<del>, each also named in words for screen readers and
// marked by underline or strike-through, so it is never told by colour alone.
import { useTranslation } from 'react-i18next';
import type { DiffPart } from './diff';

export function DiffText({ parts }: { parts: DiffPart[] }) {
  const { t } = useTranslation();
  return (
    <p className="diff preview">
      {parts.map((part, i) => {
        if (part.kind === 'same') return <span key={i}>{part.text}</span>;
        // White space after a changed word stays outside the mark, so only words are marked.
        const words = part.text.trimEnd();
        const space = part.text.slice(words.length);
        if (!words) return <span key={i}>{part.kind === 'added' ? space : null}</span>;
        const Mark = part.kind === 'added' ? 'ins' : 'del';
        return (
          <span key={i}>
            <Mark>
              <span className="visually-hidden">
                {t(part.kind === 'added' ? 'approvals:diff.added' : 'approvals:diff.removed')}{' '}
              </span>
              {words}
            </Mark>
            {space}
          </span>
        );
      })}
    </p>
  );
}
