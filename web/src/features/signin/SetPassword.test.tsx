import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderAt } from '../../test/render';
import SetPassword from './SetPassword';
import { problem, signInServer } from './testServer';

afterEach(() => vi.unstubAllGlobals());

const at = (route: string) => renderAt(<SetPassword />, { path: '/set-password', route });

describe('SetPassword', () => {
  it('refuses two different passwords before sending', async () => {
    const server = signInServer({});
    const user = userEvent.setup();
    at('/set-password#token=tok-1');
    await user.type(await screen.findByLabelText('New password'), 'correct horse battery staple');
    await user.type(screen.getByLabelText('Repeat the new password'), 'correct horse battery stable');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByText('The two passwords are not the same.')).toBeInTheDocument();
    expect(screen.getByLabelText('Repeat the new password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Repeat the new password')).toHaveAccessibleDescription(
      /The two passwords are not the same/,
    );
    expect(server.calls.some((c) => c.path === '/api/v1/auth/set-password')).toBe(false);
  });

  it('sets the password with the token and links to sign-in', async () => {
    const server = signInServer({ 'POST /api/v1/auth/set-password': { status: 204 } });
    const user = userEvent.setup();
    at('/set-password?token=tok-2');
    await user.type(await screen.findByLabelText('New password'), 'correct horse battery staple');
    await user.type(screen.getByLabelText('Repeat the new password'), 'correct horse battery staple');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    expect(await screen.findByRole('link', { name: 'Go to sign-in' })).toHaveAttribute('href', '/sign-in');
    expect(screen.getByText('Your password has been set. You can now sign in with it.')).toBeInTheDocument();
    expect(server.calls.find((c) => c.path === '/api/v1/auth/set-password')?.body).toEqual({
      token: 'tok-2',
      password: 'correct horse battery staple',
    });
  });

  it('shows the server refusing the password', async () => {
    signInServer({
      'POST /api/v1/auth/set-password': problem(
        400,
        'auth.password_policy',
        'this password appears in lists of breached passwords; choose another',
      ),
    });
    const user = userEvent.setup();
    at('/set-password?token=tok-3');
    await user.type(await screen.findByLabelText('New password'), 'password12345678');
    await user.type(screen.getByLabelText('Repeat the new password'), 'password12345678');
    await user.click(screen.getByRole('button', { name: 'Set password' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The password does not meet the rules.');
    expect(alert).toHaveTextContent('breached passwords');
  });

  it('explains a missing token', async () => {
    signInServer({});
    at('/set-password');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This page only works with the link from your e-mail.',
    );
    expect(screen.queryByLabelText('New password')).not.toBeInTheDocument();
  });
});
