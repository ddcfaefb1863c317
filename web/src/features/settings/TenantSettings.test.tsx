import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer, renderAt } from '../../test/render';
import { settleAnnouncer } from '../channels/test-support';
import TenantSettings from './TenantSettings';
import { me } from '../../test/fixtures';

afterEach(async () => {
  await settleAnnouncer();
  vi.unstubAllGlobals();
});

const tenant = {
  id: '0190a000-0000-7000-8000-0000000000aa',
  slug: 'acme',
  name: 'Municipality of Acme',
  level: 'municipal',
  parent: null,
  created_at: '2025-01-15T09:00:00Z',
  settings: { require_mfa: true, time_zone: 'Europe/Amsterdam', publish_grace_minutes: 15 },
};

function server(role: string, extra: Record<string, unknown> = {}) {
  return fakeServer({
    'GET /api/v1/me': me(role),
    'GET /api/v1/tenants/acme': tenant,
    ...extra,
  });
}

const render = () =>
  renderAt(<TenantSettings />, { path: '/t/:tenant/settings', route: '/t/acme/settings' });

describe('TenantSettings', () => {
  it('sends only the changed time zone and grace period', async () => {
    const updated = {
      ...tenant,
      settings: { ...tenant.settings, time_zone: 'America/Paramaribo', publish_grace_minutes: 30 },
    };
    const s = server('owner', { 'PATCH /api/v1/tenants/acme': updated });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();

    const zone = await screen.findByRole('combobox', { name: 'Time zone' });
    expect(zone).toHaveValue('Europe/Amsterdam');
    expect(screen.getByRole('textbox', { name: 'Name' })).toHaveValue('Municipality of Acme');
    expect(
      screen.getByRole('checkbox', { name: 'Require two-factor sign-in of every member' }),
    ).toBeChecked();
    expect(screen.getByText('acme')).toBeInTheDocument();
    expect(screen.getByText('Municipal')).toBeInTheDocument();

    await user.selectOptions(zone, 'America/Paramaribo');
    const grace = screen.getByRole('spinbutton', { name: 'Grace period in minutes' });
    await user.clear(grace);
    await user.type(grace, '30');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() => expect(s.calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patches = s.calls.filter((c) => c.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0].path).toBe('/api/v1/tenants/acme');
    expect(patches[0].body).toEqual({ time_zone: 'America/Paramaribo', publish_grace_minutes: 30 });
    expect(await screen.findByText('Organisation settings saved.', { selector: '.notice' })).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('Organisation settings saved.'),
    );
  });

  it('refuses a grace period above 1440 minutes without sending', async () => {
    const s = server('owner');
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const grace = await screen.findByRole('spinbutton', { name: 'Grace period in minutes' });
    await user.clear(grace);
    await user.type(grace, '2000');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(
      await screen.findByText('Enter a whole number of minutes from 0 to 1440.'),
    ).toBeInTheDocument();
    expect(grace).toHaveAttribute('aria-invalid', 'true');
    expect(s.calls.some((c) => c.method === 'PATCH')).toBe(false);
  });

  it('shows a server problem about a field beside that field', async () => {
    const s = server('owner', {
      'PATCH /api/v1/tenants/acme': {
        status: 400,
        body: {
          type: 'urn:heraut:problem:request.invalid',
          title: 'Invalid request',
          status: 400,
          code: 'request.invalid',
          detail: 'The request is not valid.',
          errors: [{ field: 'name', message: 'This name is already taken.' }],
        },
      },
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const name = await screen.findByRole('textbox', { name: 'Name' });
    await user.clear(name);
    await user.type(name, 'Acme');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('This name is already taken.')).toBeInTheDocument();
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(s.calls.find((c) => c.method === 'PATCH')?.body).toEqual({ name: 'Acme' });
  });

  it('shows the values read-only to someone who is not an owner', async () => {
    vi.stubGlobal('fetch', server('editor').fetch);
    render();
    expect(await screen.findByText('Municipality of Acme')).toBeInTheDocument();
    const facts = screen.getByText('Municipality of Acme').closest('dl');
    expect(facts).not.toBeNull();
    const dl = within(facts as HTMLElement);
    expect(dl.getByText('Europe/Amsterdam')).toBeInTheDocument();
    expect(dl.getByText('15 minutes')).toBeInTheDocument();
    expect(dl.getByText('Yes')).toBeInTheDocument();
    expect(dl.getByText('acme')).toBeInTheDocument();
    expect(dl.getByText('Municipal')).toBeInTheDocument();
    expect(screen.getByText('Only owners can change these settings.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
  });
});
