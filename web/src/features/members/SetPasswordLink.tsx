// A one-time set-password link to hand over to a person, with a button that copies it.
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAnnounce } from '../../layout/live';

export function setPasswordUrl(token: string): string {
  return `${window.location.origin}/set-password#token=${encodeURIComponent(token)}`;
}

export function SetPasswordLink({ token, label }: { token: string; label: string }) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  const url = setPasswordUrl(token);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
      announce(t('members:link.copied'));
    } catch {
      setCopied('no');
      announce(t('members:link.copy_failed'));
    }
  };
  return (
    <div className="token-link">
      <p id={id}>{label}</p>
      <p>
        <a href={url} aria-describedby={id} className="token-url">
          {url}
        </a>
      </p>
      <div className="form-actions">
        <button type="button" onClick={copy}>
          {t('members:link.copy')}
        </button>
        {copied === 'yes' ? <span>{t('members:link.copied')}</span> : null}
        {copied === 'no' ? <span>{t('members:link.copy_failed')}</span> : null}
      </div>
      <p className="hint">{t('members:link.mailed')}</p>
    </div>
  );
}
