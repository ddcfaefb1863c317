import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import i18n from 'i18next';
import { fakeServer, renderAt } from '../../test/render';
import Statement from './Statement';

afterEach(async () => {
  vi.unstubAllGlobals();
  await i18n.changeLanguage('en');
});

const serve = () =>
  vi.stubGlobal(
    'fetch',
    fakeServer({
      'GET /api/v1/me': { status: 401, body: { status: 401, code: 'auth.unauthenticated', detail: '', title: '', type: '' } },
    }).fetch,
  );

describe('Statement', () => {
  it('is in Dutch when the language is Dutch', async () => {
    serve();
    await i18n.changeLanguage('nl');
    renderAt(<Statement />, { path: '/accessibility', route: '/accessibility' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Toegankelijkheidsverklaring' })).toBeInTheDocument();
    for (const name of ['Nalevingsstatus', 'Bekende beperkingen', 'Een probleem melden', 'Handhavingsprocedure']) {
      expect(screen.getByRole('heading', { level: 2, name })).toBeInTheDocument();
    }
    expect(screen.getByText(/WCAG\) 2\.1 op niveau AA/)).toBeInTheDocument();
    expect(screen.getByText('Deze verklaring is opgesteld op 28 november 2026.')).toBeInTheDocument();
    expect(document.title).toBe('Toegankelijkheidsverklaring — Heraut');
  });

  it('states scope, status, limitations, reporting and date in English', async () => {
    serve();
    renderAt(<Statement />, { path: '/accessibility', route: '/accessibility' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Accessibility statement' })).toBeInTheDocument();
    expect(screen.getByText(/axe-core/)).toBeInTheDocument();
    expect(screen.getByText(/change the date and time in the post's edit form/)).toBeInTheDocument();
    expect(screen.getByText(/in a table with the chart/)).toBeInTheDocument();
    expect(screen.getByText('This statement was prepared on 28 November 2026.')).toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveAttribute('id', 'main');
  });
});
