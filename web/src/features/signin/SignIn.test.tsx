import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import i18n from 'i18next';
import { renderAt } from '../../test/render';
import SignIn from './SignIn';
import { safeNext } from './next';
import { problem, signInServer } from './testServer';

function renderSignIn(next = '/t/acme/posts') {
  return renderAt(
    <Routes>
      <Route path="/sign-in" element={<SignIn />} />
      <Route path="/t/acme/posts" element={<h1>Posts screen</h1>} />
      <Route path="/" element={<h1>Home screen</h1>} />
    </Routes>,
    { path: '*', route: `/sign-in?next=${encodeURIComponent(next)}` },
  );
}

async function enterPassword(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText('E-mail address'), 'anna@example.org');
  await user.type(screen.getByLabelText('Password'), 'correct horse battery');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

afterEach(async () => {
  vi.unstubAllGlobals();
  await i18n.changeLanguage('en');
});

describe('SignIn', () => {
  it('signs in without two-factor sign-in and goes to the page asked for', async () => {
    const server = signInServer({
      'POST /api/v1/auth/web/login': { mfa_required: false, expires_in: 900 },
    });
    const user = userEvent.setup();
    renderSignIn();
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByRole('main')).toHaveAttribute('id', 'main');
    await waitFor(() => expect(screen.getByLabelText('E-mail address')).toHaveFocus());
    await enterPassword(user);
    expect(await screen.findByRole('heading', { name: 'Posts screen' })).toBeInTheDocument();
    expect(server.calls.find((c) => c.path === '/api/v1/auth/web/login')?.body).toEqual({
      email: 'anna@example.org',
      password: 'correct horse battery',
    });
  });

  it('asks for the code from the app and sends it with the mfa token', async () => {
    const server = signInServer({
      'POST /api/v1/auth/web/login': { mfa_required: true, mfa_token: 'mfa-token-1' },
      'POST /api/v1/auth/web/mfa': { mfa_required: false, expires_in: 900 },
    });
    const user = userEvent.setup();
    renderSignIn();
    await enterPassword(user);
    expect(await screen.findByRole('heading', { name: 'Two-factor sign-in' })).toBeInTheDocument();
    const code = screen.getByLabelText('6-digit code');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    expect(code).toHaveAttribute('inputmode', 'numeric');
    await waitFor(() => expect(code).toHaveFocus());
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Password accepted'));
    await user.type(code, '123 456');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByRole('heading', { name: 'Posts screen' })).toBeInTheDocument();
    expect(server.calls.find((c) => c.path === '/api/v1/auth/web/mfa')?.body).toEqual({
      mfa_token: 'mfa-token-1',
      code: '123456',
    });
  });

  it('accepts a recovery code instead', async () => {
    const server = signInServer({
      'POST /api/v1/auth/web/login': { mfa_required: true, mfa_token: 'mfa-token-2' },
      'POST /api/v1/auth/web/mfa': { mfa_required: false, expires_in: 900 },
    });
    const user = userEvent.setup();
    renderSignIn('/');
    await enterPassword(user);
    await user.click(await screen.findByRole('button', { name: 'Use a recovery code instead' }));
    const field = screen.getByLabelText('Recovery code');
    await waitFor(() => expect(field).toHaveFocus());
    expect(screen.queryByLabelText('6-digit code')).not.toBeInTheDocument();
    await user.type(field, 'k7qm-2xw9-h4tp');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByRole('heading', { name: 'Home screen' })).toBeInTheDocument();
    expect(server.calls.find((c) => c.path === '/api/v1/auth/web/mfa')?.body).toEqual({
      mfa_token: 'mfa-token-2',
      code: 'k7qm-2xw9-h4tp',
    });
  });

  it('says when the code is wrong and stays on the code step', async () => {
    signInServer({
      'POST /api/v1/auth/web/login': { mfa_required: true, mfa_token: 'mfa-token-3' },
      'POST /api/v1/auth/web/mfa': problem(401, 'auth.mfa_invalid', 'the code is wrong'),
    });
    const user = userEvent.setup();
    renderSignIn();
    await enterPassword(user);
    await user.type(await screen.findByLabelText('6-digit code'), '000000');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');
    expect(screen.getByLabelText('6-digit code')).toHaveFocus();
  });

  it('checks the code format before sending', async () => {
    const server = signInServer({
      'POST /api/v1/auth/web/login': { mfa_required: true, mfa_token: 'mfa-token-4' },
    });
    const user = userEvent.setup();
    renderSignIn();
    await enterPassword(user);
    await user.type(await screen.findByLabelText('6-digit code'), '12a');
    await user.click(screen.getByRole('button', { name: 'Verify and sign in' }));
    expect(await screen.findByText('Enter the 6 digits shown in your app.')).toBeInTheDocument();
    expect(screen.getByLabelText('6-digit code')).toHaveAttribute('aria-invalid', 'true');
    expect(server.calls.some((c) => c.path === '/api/v1/auth/web/mfa')).toBe(false);
  });

  it('shows a wrong password as a translated alert', async () => {
    signInServer({
      'POST /api/v1/auth/web/login': problem(401, 'auth.invalid_credentials', 'the e-mail address or password is wrong'),
    });
    await i18n.changeLanguage('nl');
    const user = userEvent.setup();
    renderSignIn();
    await user.type(await screen.findByLabelText('E-mailadres'), 'anna@example.org');
    await user.type(screen.getByLabelText('Wachtwoord'), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Inloggen' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Het e-mailadres of wachtwoord klopt niet.');
    expect(screen.getByLabelText('Wachtwoord')).toHaveValue('');
    expect(screen.getByRole('heading', { level: 1, name: 'Inloggen' })).toBeInTheDocument();
  });

  it('tells how long to wait when throttled', async () => {
    signInServer({
      'POST /api/v1/auth/web/login': problem(429, 'auth.throttled', 'try again in 30 seconds', { retry_after: 30 }),
    });
    const user = userEvent.setup();
    renderSignIn();
    await enterPassword(user);
    expect(await screen.findByRole('alert')).toHaveTextContent('Too many attempts.');
    expect(screen.getByText('You can try again in 30 seconds.')).toBeInTheDocument();
  });

  it('checks the fields before sending', async () => {
    const server = signInServer({});
    const user = userEvent.setup();
    renderSignIn();
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your e-mail address.')).toBeInTheDocument();
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(screen.getByLabelText('E-mail address')).toHaveFocus();
    expect(server.calls.some((c) => c.path === '/api/v1/auth/web/login')).toBe(false);
  });

  it('has a language switch and a link to the accessibility statement', async () => {
    signInServer({});
    const user = userEvent.setup();
    renderSignIn();
    await user.selectOptions(await screen.findByLabelText('Language'), 'nl');
    expect(await screen.findByRole('heading', { level: 1, name: 'Inloggen' })).toBeInTheDocument();
    const footer = screen.getByRole('contentinfo');
    expect(within(footer).getByRole('link', { name: 'Toegankelijkheidsverklaring' })).toHaveAttribute(
      'href',
      '/accessibility',
    );
  });
});

describe('safeNext', () => {
  it('keeps paths of this site and refuses anything else', () => {
    expect(safeNext('/t/acme/posts?status=draft')).toBe('/t/acme/posts?status=draft');
    expect(safeNext('//evil.example/')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('/\t/evil.example')).toBe('/');
    expect(safeNext('/%09/evil.example')).toBe('/%09/evil.example');
    expect(safeNext('https://evil.example/')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });
});
