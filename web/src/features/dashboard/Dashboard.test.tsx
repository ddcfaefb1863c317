import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderAt } from '../../test/render';
import Dashboard from './Dashboard';
import { axeViolations, ME, oneStep, post, server } from './fixtures';
import { publishedPerDay } from './summary';

// jsdom has no canvas: the chart renders as a plain canvas with the props it was given.
vi.mock('react-chartjs-2', () => ({
  Bar: ({ data: _data, options: _options, fallbackContent: _fallback, ...props }: Record<string, unknown>) => (
    <canvas {...props} />
  ),
}));

afterEach(() => vi.unstubAllGlobals());

const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

function setup(role = 'approver') {
  const fake = server(
    role,
    {
      in_review: [
        post({ id: 'p-other', status: 'in_review', body: 'Library opens late on Friday', approval: oneStep() }),
        post({
          id: 'p-mine',
          status: 'in_review',
          author_id: ME,
          body: 'My own announcement about parking',
          approval: oneStep(),
        }),
        post({
          id: 'p-owner-step',
          status: 'in_review',
          body: 'Council agenda for owners',
          approval: oneStep('owner'),
        }),
      ],
      approved: [
        post({ id: 'p-later', status: 'approved', body: 'Second scheduled post', scheduled_at: inFuture(3) }),
        post({ id: 'p-soon', status: 'approved', body: 'First scheduled post', scheduled_at: inFuture(1) }),
      ],
      failed: [post({ id: 'p-failed', status: 'failed', body: 'Post that failed to go out' })],
      published: [],
    },
    {
      'GET /api/v1/tenants/acme/crisis': { active: false, message: '', changed_at: null, changed_by: null, held: [] },
      'GET /api/v1/tenants/acme/notifications': {
        items: [
          {
            id: 'n-1',
            kind: 'post.approved',
            message: 'Your post was approved',
            post_id: 'p-soon',
            created_at: '2025-01-02T10:00:00Z',
            read_at: null,
          },
        ],
        next_cursor: null,
      },
      'POST /api/v1/tenants/acme/notifications/n-1/read': { status: 204 },
    },
  );
  vi.stubGlobal('fetch', fake.fetch);
  renderAt(<Dashboard />, { path: '/t/:tenant', route: '/t/acme' });
  return fake;
}

describe('Dashboard', () => {
  it('shows the post waiting for my approval and hides my own', async () => {
    setup('approver');
    const card = (await screen.findByRole('heading', { name: 'Waiting for my approval' })).closest('section')!;
    expect(await within(card).findByRole('link', { name: 'Library opens late on Friday' })).toHaveAttribute(
      'href',
      '/t/acme/approvals?post=p-other',
    );
    expect(within(card).queryByText(/My own announcement/)).toBeNull();
    // An approver may not approve a step for owners.
    expect(within(card).queryByText(/Council agenda/)).toBeNull();
  });

  it('does not show the approval card to an editor', async () => {
    setup('editor');
    await screen.findByRole('heading', { name: 'Scheduled next' });
    expect(screen.queryByRole('heading', { name: 'Waiting for my approval' })).toBeNull();
  });

  it('lists scheduled posts soonest first, and failed posts', async () => {
    setup();
    const next = (await screen.findByRole('heading', { name: 'Scheduled next' })).closest('section')!;
    await within(next).findByRole('link', { name: 'First scheduled post' });
    const links = within(next)
      .getAllByRole('link')
      .map((l) => l.textContent);
    expect(links.slice(0, 2)).toEqual(['First scheduled post', 'Second scheduled post']);
    const attention = screen.getByRole('heading', { name: 'Failed or needing attention' }).closest('section')!;
    expect(await within(attention).findByRole('link', { name: 'Post that failed to go out' })).toBeInTheDocument();
  });

  it('marks a notification as read', async () => {
    const fake = setup();
    const button = await screen.findByRole('button', { name: /^Mark as read\s?: Your post was approved$/ });
    await userEvent.click(button);
    await waitFor(() =>
      expect(fake.calls.some((c) => c.method === 'POST' && c.path === '/api/v1/tenants/acme/notifications/n-1/read')).toBe(
        true,
      ),
    );
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Notification marked as read.'));
  });

  it('moves focus to the next notification once one is marked as read, then to the heading', async () => {
    const note = (id: string, message: string) => ({
      id,
      kind: 'post.approved',
      message,
      post_id: null,
      created_at: '2025-01-02T10:00:00Z',
      read_at: null,
    });
    const notes = [note('n-1', 'First note'), note('n-2', 'Second note')];
    const read = new Set<string>();
    const fake = server('approver', {});
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      const path = new URL(request.url, 'http://localhost').pathname;
      if (path === '/api/v1/tenants/acme/notifications') {
        return Response.json({ items: notes.filter((n) => !read.has(n.id)), next_cursor: null });
      }
      const marked = /\/notifications\/([^/]+)\/read$/.exec(path);
      if (request.method === 'POST' && marked) {
        read.add(marked[1]);
        return new Response(null, { status: 204 });
      }
      return fake.fetch(request);
    });
    renderAt(<Dashboard />, { path: '/t/:tenant', route: '/t/acme' });
    const user = userEvent.setup();
    const first = await screen.findByRole('button', { name: /^Mark as read\s?: First note$/ });
    const second = screen.getByRole('button', { name: /^Mark as read\s?: Second note$/ });
    await user.click(first);
    await waitFor(() => expect(first).not.toBeInTheDocument());
    await waitFor(() => expect(second).toHaveFocus());
    await user.click(second);
    await waitFor(() => expect(screen.getByRole('heading', { name: /notification/i, level: 2 })).toHaveFocus());
  });

  it('describes the chart in words and as a table', async () => {
    setup();
    const chart = await screen.findByRole('img', { name: /no posts published in the last 14 days/ });
    expect(chart.tagName).toBe('CANVAS');
    expect(screen.getByText('Show as table')).toBeInTheDocument();
    expect(screen.getAllByRole('row')).toHaveLength(15);
  });
});

describe('publishedPerDay', () => {
  it('counts posts on the day they went out in the tenant zone', () => {
    const now = Date.parse('2025-03-31T10:00:00Z');
    const days = publishedPerDay(
      [
        post({
          id: 'a',
          status: 'published',
          targets: [
            {
              id: 't',
              channel_id: 'c',
              status: 'published',
              body: '',
              due_at: '2025-03-30T22:30:00Z',
              attempts: 1,
              remote_id: null,
              remote_url: null,
              last_error: null,
              needs_confirmation: false,
              thread_parts: [],
              published_at: '2025-03-30T22:30:00Z',
            },
          ],
        }),
      ],
      'Europe/Amsterdam',
      now,
    );
    expect(days).toHaveLength(14);
    expect(days[0].day).toBe('2025-03-18');
    // 22:30 UTC on 30 March is 00:30 on 31 March in Amsterdam (summer time).
    expect(days[13]).toEqual({ day: '2025-03-31', count: 1 });
    expect(days[12]).toEqual({ day: '2025-03-30', count: 0 });
  });
});

describe('Dashboard accessibility', () => {
  it('has no axe findings', async () => {
    setup();
    await screen.findByRole('link', { name: 'Library opens late on Friday' });
    await screen.findByRole('link', { name: 'Post that failed to go out' });
    expect(await axeViolations()).toEqual([]);
  }, 30_000);
});
