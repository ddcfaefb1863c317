import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { fakeServer, renderAt } from '../../test/render';
import SignIn from '../signin/SignIn';
import { me, problem } from '../signin/testServer';
import Account from './Account';

const codes = Array.from({ length: 10 }, (_, i) => `k7qm-2xw9-h4t${'abcdefghjk'[i]}`);
const enrolment = {
  secret: 'JBSWY3DPEHPK3PXPJBSWY3DP',
  otpauth_uri: 'otpauth://totp/Heraut:anna%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=Heraut',
};

function serve(routes: Record<string, unknown>) {
  const table: Record<string, unknown> = { 'GET /api/v1/me': me, ...routes };
  const server = fakeServer(table);
  // The session code calls `fetch` with relative paths, as a browser allows.
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) =>
    server.fetch(typeof input === 'string' ? new URL(input, 'http://localhost') : input, init),
  );
  return { server, table };
}

function renderAccount() {
  return renderAt(
    <Routes>
      <Route path="/account" element={<Account />} />
      <Route path="/sign-in" element={<SignIn />} />
    </Routes>,
    { path: '*', route: '/account' },
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('Account', () => {
  it('shows who is signed in', async () => {
    serve({});
    renderAccount();
    expect(await screen.findByRole('heading', { level: 1, name: 'My account' })).toBeInTheDocument();
    expect(await screen.findByText('Anna de Vries')).toBeInTheDocument();
    expect(screen.getByText('anna@example.org')).toBeInTheDocument();
    expect(screen.getByText('acme (Editor)')).toBeInTheDocument();
  });

  it('sets up two-factor sign-in: QR code, key, confirmation and ten recovery codes', async () => {
    const { server, table } = serve({
      'POST /api/v1/me/mfa/totp': enrolment,
      'POST /api/v1/me/mfa/totp/confirm': { recovery_codes: codes },
    });
    const user = userEvent.setup();
    renderAccount();
    await user.click(await screen.findByRole('button', { name: 'Set up two-factor sign-in' }));

    const qr = await screen.findByRole('img', { name: /QR code to scan with your authenticator app/ });
    expect(qr.tagName.toLowerCase()).toBe('svg');
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP JBSW Y3DP')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 3, name: 'Set up your authenticator app' })).toHaveFocus();

    const code = screen.getByLabelText('6-digit code from the app');
    expect(code).toHaveAttribute('autocomplete', 'one-time-code');
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));

    const list = await screen.findByRole('list', { name: 'Recovery codes' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    expect(within(list).getByText('k7qm-2xw9-h4ta')).toBeInTheDocument();
    expect(server.calls.find((c) => c.path === '/api/v1/me/mfa/totp/confirm')?.body).toEqual({ code: '123456' });

    // Done needs the confirmation that the codes are stored.
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Confirm that you have stored the recovery codes.');
    expect(screen.getByRole('list', { name: 'Recovery codes' })).toBeInTheDocument();

    table['GET /api/v1/me'] = { ...me, mfa_enabled: true };
    await user.click(screen.getByLabelText('I have stored these codes'));
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(await screen.findByText(/Two-factor sign-in is on\./)).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).not.toBeInTheDocument();
    expect(server.calls.filter((c) => c.path === '/api/v1/me').length).toBeGreaterThan(1);
  });

  it('copies the recovery codes to the clipboard', async () => {
    serve({
      'POST /api/v1/me/mfa/totp': enrolment,
      'POST /api/v1/me/mfa/totp/confirm': { recovery_codes: codes },
    });
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText');
    renderAccount();
    await user.click(await screen.findByRole('button', { name: 'Set up two-factor sign-in' }));
    await user.type(await screen.findByLabelText('6-digit code from the app'), '123456');
    await user.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    await user.click(await screen.findByRole('button', { name: 'Copy codes' }));
    expect(writeText).toHaveBeenCalledWith(codes.join('\n'));
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('The recovery codes are copied.'),
    );
  });

  it('shows a wrong confirmation code', async () => {
    serve({
      'POST /api/v1/me/mfa/totp': enrolment,
      'POST /api/v1/me/mfa/totp/confirm': problem(401, 'auth.mfa_invalid', 'wrong code'),
      'POST /api/v1/auth/web/refresh': { status: 204 },
    });
    const user = userEvent.setup();
    renderAccount();
    await user.click(await screen.findByRole('button', { name: 'Set up two-factor sign-in' }));
    await user.type(await screen.findByLabelText('6-digit code from the app'), '000000');
    await user.click(screen.getByRole('button', { name: 'Turn on two-factor sign-in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not right.');
    expect(screen.queryByRole('list', { name: 'Recovery codes' })).not.toBeInTheDocument();
  });

  it('says when two-factor sign-in is already on', async () => {
    serve({ 'GET /api/v1/me': { ...me, mfa_enabled: true } });
    renderAccount();
    expect(await screen.findByText(/Two-factor sign-in is on\./)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Set up two-factor sign-in' })).not.toBeInTheDocument();
  });

  it('changes the password, then asks to sign in again', async () => {
    const { server, table } = serve({
      'PUT /api/v1/me/password': { status: 204 },
      'POST /api/v1/auth/web/logout': { status: 204 },
      'POST /api/v1/auth/web/refresh': problem(401, 'auth.unauthenticated'),
    });
    const user = userEvent.setup();
    renderAccount();
    await user.type(await screen.findByLabelText('Current password'), 'old password here');
    await user.type(screen.getByLabelText('New password'), 'a much longer passphrase');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a much longer passphrase');
    table['GET /api/v1/me'] = problem(401, 'auth.unauthenticated');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Your password has been changed/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
    expect(server.calls.find((c) => c.path === '/api/v1/me/password')?.body).toEqual({
      current_password: 'old password here',
      new_password: 'a much longer passphrase',
    });
  });

  it('asks for 15 characters without two-factor sign-in', async () => {
    const { server } = serve({});
    const user = userEvent.setup();
    renderAccount();
    await user.type(await screen.findByLabelText('Current password'), 'old password here');
    await user.type(screen.getByLabelText('New password'), 'short pass');
    await user.type(screen.getByLabelText('Repeat the new password'), 'short pass');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('The password must be at least 15 characters long.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByLabelText('New password')).toHaveFocus());
    expect(server.calls.some((c) => c.path === '/api/v1/me/password')).toBe(false);
  });
});
