// The ten recovery codes, shown once right after two-factor sign-in is turned on: copy, download
// as a text file, and a confirmation that they are stored before the person moves on.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorSummary } from '../../components/ErrorSummary';
import { useAnnounce } from '../../layout/live';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function RecoveryCodes({
  codes,
  email,
  onDone,
}: {
  codes: string[];
  email: string;
  onDone: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const announce = useAnnounce();
  const heading = useRef<HTMLHeadingElement>(null);
  const [stored, setStored] = useState(false);
  const [missing, setMissing] = useState(false);
  const [attempts, setAttempts] = useState(0);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  const text = [t('account:codes.file_header', { email }), '', ...codes, ''].join('\n');

  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(codes.join('\n'));
      announce(t('account:codes.copied'));
    } catch {
      announce(t('account:codes.copy_failed'));
    }
  };

  return (
    <div className="recovery-codes">
      <h3 ref={heading} tabIndex={-1}>
        {t('account:codes.heading')}
      </h3>
      <p>{t('account:codes.intro')}</p>
      <ul className="codes" aria-label={t('account:codes.list')}>
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="form-actions">
        <button type="button" onClick={() => void copy()}>
          {t('account:codes.copy')}
        </button>
        <button
          type="button"
          onClick={() => {
            download(t('account:codes.file_name'), text);
            announce(t('account:codes.downloaded'));
          }}
        >
          {t('account:codes.download')}
        </button>
      </div>
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (!stored) {
            setMissing(true);
            setAttempts((n) => n + 1);
            document.getElementById('codes-stored')?.focus();
            return;
          }
          setBusy(true);
          try {
            await onDone();
          } finally {
            setBusy(false);
          }
        }}
      >
        <ErrorSummary
          items={missing && !stored ? [{ id: 'codes-stored', message: t('account:codes.stored_required') }] : []}
          attempt={attempts}
        />
        <div className={missing && !stored ? 'field field-error' : 'field'}>
          <div className="checkbox">
            <input
              id="codes-stored"
              type="checkbox"
              checked={stored}
              aria-invalid={missing && !stored ? true : undefined}
              aria-describedby={missing && !stored ? 'codes-stored-error' : undefined}
              onChange={(e) => setStored(e.target.checked)}
            />
            <label htmlFor="codes-stored">{t('account:codes.stored')}</label>
          </div>
          {missing && !stored ? (
            <p className="error-text" id="codes-stored-error">
              <span aria-hidden="true">⚠ </span>
              {t('account:codes.stored_required')}
            </p>
          ) : null}
        </div>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            {t('account:codes.done')}
          </button>
        </div>
      </form>
    </div>
  );
}
