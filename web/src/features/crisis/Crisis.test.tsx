import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderAt } from '../../test/render';
import { axeViolations, CHANNEL, post, server } from '../dashboard/fixtures';
import Crisis from './Crisis';

afterEach(() => vi.unstubAllGlobals());

const off = { active: false, message: '', changed_at: null, changed_by: null, held: [] };
const on = {
  active: true,
  message: 'Storm warning: posts paused',
  changed_at: '2025-01-02T10:00:00Z',
  changed_by: 'u-0000-me',
  held: [{ post_id: 'p-held', target_id: 't-1', channel_id: CHANNEL, due_at: '2025-01-02T11:00:00Z' }],
};

function setup(role: string, state: typeof off | typeof on, extra: Record<string, unknown> = {}) {
  const fake = server(
    role,
    {
      approved: [
        post({ id: 'p-held', status: 'approved', body: 'Market day moved', scheduled_at: '2025-01-02T11:00:00Z' }),
        post({ id: 'p-later', status: 'approved', body: 'Summer concert announced', scheduled_at: '2030-07-01T10:00:00Z' }),
      ],
    },
    {
      'GET /api/v1/tenants/acme/crisis': state,
      'PUT /api/v1/tenants/acme/crisis': on,
      ...extra,
    },
  );
  vi.stubGlobal('fetch', fake.fetch);
  renderAt(<Crisis />, { path: '/t/:tenant/crisis', route: '/t/acme/crisis' });
  return fake;
}

const puts = (fake: ReturnType<typeof setup>) => fake.calls.filter((c) => c.method === 'PUT');

describe('Crisis', () => {
  it('switches crisis mode on with a message only after confirmation', async () => {
    const fake = setup('owner', off);
    const toggle = await screen.findByRole('switch', { name: 'Crisis mode' });
    expect(toggle).toHaveAttribute('aria-checked', 'false');

    // A message is required first.
    await userEvent.click(toggle);
    expect(await screen.findByRole('alert')).toHaveTextContent('Write the banner message');
    expect(screen.queryByRole('dialog')).toBeNull();

    await userEvent.type(screen.getByLabelText('Banner message'), 'Storm warning: posts paused');
    await userEvent.click(toggle);
    const dialog = await screen.findByRole('dialog', { name: 'Pause all scheduled posts?' });
    expect(puts(fake)).toHaveLength(0);

    await userEvent.click(within(dialog).getByRole('button', { name: 'Switch crisis mode on' }));
    await waitFor(() => expect(puts(fake)).toHaveLength(1));
    expect(puts(fake)[0].body).toEqual({ active: true, message: 'Storm warning: posts paused' });
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('Crisis mode is on. Nothing scheduled goes out.'),
    );
  });

  it('sends nothing when the confirmation is cancelled', async () => {
    const fake = setup('owner', off);
    await userEvent.type(await screen.findByLabelText('Banner message'), 'Storm');
    await userEvent.click(screen.getByRole('switch', { name: 'Crisis mode' }));
    const dialog = await screen.findByRole('dialog', { name: 'Pause all scheduled posts?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(puts(fake)).toHaveLength(0);
  });

  it('switches off after confirmation', async () => {
    const fake = setup('owner', on, { 'PUT /api/v1/tenants/acme/crisis': off });
    const toggle = await screen.findByRole('switch', { name: 'Crisis mode' });
    expect(toggle).toHaveAttribute('aria-checked', 'true');
    await userEvent.click(toggle);
    const dialog = await screen.findByRole('dialog', { name: 'Switch crisis mode off?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Switch crisis mode off' }));
    await waitFor(() => expect(puts(fake)[0]?.body).toEqual({ active: false }));
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Crisis mode is off.'));
  });

  it('lists what is held while crisis mode is on', async () => {
    setup('approver', on);
    const held = (await screen.findByRole('heading', { name: 'Held while crisis mode is on' })).closest('section')!;
    expect(await within(held).findByRole('link', { name: 'Market day moved' })).toHaveAttribute(
      'href',
      '/t/acme/posts/p-held',
    );
    expect(within(held).getByText(/confirm or cancel it on: City Mastodon/)).toBeInTheDocument();
    expect(within(held).getByRole('link', { name: 'Summer concert announced' })).toBeInTheDocument();
    // Only owners switch crisis mode or send an emergency broadcast.
    expect(screen.queryByRole('switch')).toBeNull();
    expect(screen.queryByRole('heading', { name: 'Emergency broadcast' })).toBeNull();
  });

  it('sends an emergency broadcast after confirmation', async () => {
    const fake = setup('owner', on, {
      'POST /api/v1/tenants/acme/emergency': {
        status: 201,
        body: post({ id: 'p-emergency', status: 'in_review', emergency: true, body: 'Evacuate the harbour area' }),
      },
    });
    await userEvent.type(await screen.findByLabelText('Emergency message'), 'Evacuate the harbour area');
    await userEvent.click(screen.getByRole('button', { name: 'Send emergency broadcast…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Send this emergency broadcast?' });
    expect(fake.calls.some((c) => c.path.endsWith('/emergency'))).toBe(false);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create the emergency broadcast' }));
    await waitFor(() => {
      const sent = fake.calls.find((c) => c.method === 'POST' && c.path.endsWith('/emergency'));
      expect(sent?.body).toEqual({ body: 'Evacuate the harbour area' });
    });
    expect(await screen.findByRole('link', { name: 'Open the broadcast' })).toHaveAttribute(
      'href',
      '/t/acme/posts/p-emergency',
    );
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Emergency broadcast created.'));
  });
});

describe('Crisis accessibility', () => {
  it('has no axe findings while crisis mode is on, nor with the confirmation open', async () => {
    setup('owner', on);
    await screen.findByRole('link', { name: 'Market day moved' });
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole('switch', { name: 'Crisis mode' }));
    await screen.findByRole('dialog', { name: 'Switch crisis mode off?' });
    expect(await axeViolations()).toEqual([]);
  }, 30_000);
});
