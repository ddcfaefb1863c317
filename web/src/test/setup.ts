import '@testing-library/jest-dom/vitest';
import '../i18n';
import i18n from 'i18next';
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

void i18n.changeLanguage('en');
afterEach(() => cleanup());
