// The last line of defence: a screen that throws while rendering (or a part of the app that
// cannot be loaded after an upgrade) shows a message with a way out instead of a blank page.
import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

function Fallback() {
  const { t } = useTranslation();
  return (
    <main id="main" className="auth-page">
      <h1>{t('common:broken.title')}</h1>
      <p>{t('common:broken.text')}</p>
      <button type="button" className="primary" onClick={() => window.location.reload()}>
        {t('common:broken.reload')}
      </button>
    </main>
  );
}

export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    return this.state.failed ? <Fallback /> : this.props.children;
  }
}
