import '@testing-library/jest-dom/vitest';
import '../i18n';
import i18n from 'i18next';
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

void i18n.changeLanguage('en');
afterEach(() => cleanup());

// jsdom has no modal dialogs: open and close by the attribute, as a browser without them would.
if (typeof HTMLDialogElement !== 'undefined') {
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}
