import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderAt } from '../../test/render';
import { axeViolations, post, server } from '../dashboard/fixtures';
import Calendar from './Calendar';
import { fromInputValue, fromWall, toInputValue, toWall, wallToRfc3339 } from './zone';

// The calendar's drag selection asks where the pointer is; jsdom has no layout to answer.
document.elementFromPoint ??= () => null;

describe('zone helpers', () => {
  it('turns an instant into the wall time of the tenant and back', () => {
    const wall = toWall('2030-03-14T13:30:00Z', 'Europe/Amsterdam');
    expect(toInputValue(wall)).toBe('2030-03-14T14:30');
    expect(fromWall(wall, 'Europe/Amsterdam').toISOString()).toBe('2030-03-14T13:30:00.000Z');
  });

  it('uses the offset of the chosen day (summer time)', () => {
    const wall = fromInputValue('2030-07-01T09:00');
    expect(wall).not.toBeNull();
    expect(wallToRfc3339(wall!, 'Europe/Amsterdam')).toBe('2030-07-01T07:00:00.000Z');
    expect(wallToRfc3339(wall!, 'America/New_York')).toBe('2030-07-01T13:00:00.000Z');
  });

  it('refuses what is not a date and time', () => {
    expect(fromInputValue('')).toBeNull();
    expect(fromInputValue('tomorrow')).toBeNull();
  });
});

describe('Calendar', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-03-12T09:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  function setup(role = 'editor') {
    const approved = post({
      id: 'p-approved',
      status: 'approved',
      body: 'Road works on Main Street',
      scheduled_at: '2030-03-14T13:30:00Z',
    });
    const published = post({
      id: 'p-published',
      status: 'published',
      body: 'Library summer hours',
      scheduled_at: '2030-03-13T08:00:00Z',
    });
    const fake = server(
      role,
      { approved: [approved], published: [published] },
      {
        'PATCH /api/v1/tenants/acme/posts/p-approved': {
          ...approved,
          status: 'in_review',
          scheduled_at: '2030-03-20T08:15:00Z',
        },
      },
    );
    vi.stubGlobal('fetch', fake.fetch);
    renderAt(<Calendar />, { path: '/t/:tenant/calendar', route: '/t/acme/calendar' });
    return fake;
  }

  it('shows posts with their status in words, in the list view', async () => {
    setup();
    await userEvent.click(await screen.findByRole('button', { name: 'List' }));
    const table = await screen.findByRole('table', { name: /Posts from/ });
    expect(within(table).getByRole('button', { name: 'Approved: Road works on Main Street' })).toBeInTheDocument();
    expect(within(table).getByRole('button', { name: 'Published: Library summer hours' })).toBeInTheDocument();
    // 13:30 UTC is 14:30 in Amsterdam.
    expect(within(table).getByText(/14:30/)).toBeInTheDocument();
    expect(screen.getByText(/Europe\/Amsterdam/)).toBeInTheDocument();
  });

  it('moves a post by keyboard with the converted RFC 3339 time', async () => {
    const fake = setup();
    await userEvent.click(await screen.findByRole('button', { name: 'List' }));
    const event = await screen.findByRole('button', { name: 'Approved: Road works on Main Street' });
    event.focus();
    await userEvent.keyboard('{Enter}');
    const panel = (await screen.findByRole('heading', { name: 'Selected post' })).closest('section')!;
    const field = within(panel).getByLabelText('Move to');
    expect(field).toHaveValue('2030-03-14T14:30');
    fireEvent.change(field, { target: { value: '2030-03-20T09:15' } });
    await userEvent.click(within(panel).getByRole('button', { name: 'Move' }));
    await waitFor(() => {
      const sent = fake.calls.find((c) => c.method === 'PATCH');
      expect(sent?.path).toBe('/api/v1/tenants/acme/posts/p-approved');
      expect(sent?.body).toEqual({ scheduled_at: '2030-03-20T08:15:00.000Z' });
    });
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent(/Post moved to/));
  });

  it('does not offer to move a published post', async () => {
    setup();
    await userEvent.click(await screen.findByRole('button', { name: 'List' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Published: Library summer hours' }));
    const panel = (await screen.findByRole('heading', { name: 'Selected post' })).closest('section')!;
    expect(within(panel).queryByLabelText('Move to')).toBeNull();
    expect(within(panel).getByText('This post can no longer be moved.')).toBeInTheDocument();
  });

  it('asks for posts of the shown month in the tenant zone', async () => {
    const fake = setup();
    await screen.findByRole('button', { name: 'Month', pressed: true });
    await waitFor(() => expect(fake.calls.some((c) => c.path.startsWith('/api/v1/tenants/acme/posts?'))).toBe(true));
    const asked = fake.calls.filter((c) => c.path.startsWith('/api/v1/tenants/acme/posts?'));
    // Only once the tenant's zone is known.
    expect(asked).toHaveLength(1);
    const query = new URL(asked[0].path, 'http://localhost').searchParams;
    // March 2030 is shown from Monday 25 February to Sunday 31 March, with a day to spare.
    expect(query.get('from')).toBe('2030-02-23T23:00:00.000Z');
    expect(query.get('to')).toBe('2030-04-01T21:59:59.999Z');
  });

  it('has no axe findings in the month, week and list views', async () => {
    setup();
    await screen.findByRole('button', { name: 'Approved: Road works on Main Street' });
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Week' }));
    // In the week view the event itself is the button, named with its time.
    await screen.findByRole('button', { name: /14:30.*Approved: Road works on Main Street/ });
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'List' }));
    await screen.findByRole('table', { name: /Posts from/ });
    expect(await axeViolations()).toEqual([]);
  }, 30_000);

  it('opens the selected post from the month view by keyboard', async () => {
    setup();
    const event = await screen.findByRole('button', { name: 'Approved: Road works on Main Street' });
    event.focus();
    await userEvent.keyboard('{Enter}');
    expect(await screen.findByRole('heading', { name: 'Selected post' })).toHaveFocus();
    expect(screen.getByRole('link', { name: 'Open the post' })).toHaveAttribute('href', '/t/acme/posts/p-approved');
  });

  it('returns focus to the event when the panel closes', async () => {
    setup();
    const event = await screen.findByRole('button', { name: 'Approved: Road works on Main Street' });
    event.focus();
    await userEvent.keyboard('{Enter}');
    const panel = (await screen.findByRole('heading', { name: 'Selected post' })).closest('section')!;
    await userEvent.click(within(panel).getByRole('button', { name: 'Close the panel' }));
    expect(screen.queryByRole('heading', { name: 'Selected post' })).toBeNull();
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Approved: Road works on Main Street' })).toHaveFocus(),
    );
  });

  it('lists an unreadable time in the error summary instead of a hidden alert', async () => {
    setup();
    await userEvent.click(await screen.findByRole('button', { name: 'Approved: Road works on Main Street' }));
    const panel = (await screen.findByRole('heading', { name: 'Selected post' })).closest('section')!;
    fireEvent.change(within(panel).getByLabelText('Move to'), { target: { value: '' } });
    await userEvent.click(within(panel).getByRole('button', { name: 'Move' }));
    const alerts = await within(panel).findAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(within(alerts[0]).getByRole('link', { name: /^Move to: / })).toHaveAttribute(
      'href',
      `#${within(panel).getByLabelText('Move to').id}`,
    );
    expect(within(panel).getByLabelText('Move to')).toHaveFocus();
  });
});
