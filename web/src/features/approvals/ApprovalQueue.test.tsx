import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderAt } from '../../test/render';
import { axeViolations, CHANNEL, channels, ME, OTHER, oneStep, post, server } from '../dashboard/fixtures';
import ApprovalQueue from './ApprovalQueue';

afterEach(() => vi.unstubAllGlobals());

const base = {
  body: 'The swimming pool opens at 9 on Saturday.',
  channels: [CHANNEL],
  variants: {},
  media: [],
  scheduled_at: '2030-06-01T07:00:00Z',
  time_zone: 'Europe/Amsterdam',
  campaign: null,
  edited_by: OTHER,
  edited_at: '2025-01-01T00:00:00Z',
};

const revisions = {
  items: [
    { ...base, revision: 1 },
    {
      ...base,
      revision: 2,
      body: 'The swimming pool opens at 10 on Saturday.',
      scheduled_at: '2030-06-01T08:00:00Z',
    },
  ],
};

const inReview = post({
  id: 'p-1',
  status: 'in_review',
  revision: 2,
  body: 'The swimming pool opens at 10 on Saturday.',
  scheduled_at: '2030-06-01T08:00:00Z',
  approval: oneStep(),
  comments: [
    {
      id: 'cm-1',
      user_id: OTHER,
      kind: 'comment',
      text: 'Changed the time after the call.',
      revision: 2,
      at: '2025-01-02T09:00:00Z',
    },
  ],
});

function setup(p = inReview, extra: Record<string, unknown> = {}) {
  const fake = server('approver', { in_review: [p] }, {
    [`GET /api/v1/tenants/acme/posts/${p.id}`]: p,
    [`GET /api/v1/tenants/acme/posts/${p.id}/revisions`]: revisions,
    [`POST /api/v1/tenants/acme/posts/${p.id}/approve`]: { ...p, status: 'approved' },
    [`POST /api/v1/tenants/acme/posts/${p.id}/reject`]: { ...p, status: 'draft', approval: null },
    ...extra,
  });
  vi.stubGlobal('fetch', fake.fetch);
  renderAt(<ApprovalQueue />, { path: '/t/:tenant/approvals', route: `/t/acme/approvals?post=${p.id}` });
  return fake;
}

describe('ApprovalQueue', () => {
  it('lists posts in review with author, channels and approval step', async () => {
    setup();
    const queue = (await screen.findByRole('heading', { name: 'Waiting for approval (1)' })).closest('section')!;
    expect(await within(queue).findByText('Eddie Editor')).toBeInTheDocument();
    expect(await within(queue).findByText('City Mastodon')).toBeInTheDocument();
    expect(
      within(queue).getByText('Step 1 of 1: Communications lead (Approver), 0 of 1 approvals'),
    ).toBeInTheDocument();
  });

  it('names a channel connected after the channel list was fetched, without a reload', async () => {
    const connected = { ...channels.items[0], id: 'c-0001-bluesky', plugin: 'bluesky', name: 'City Bluesky' };
    const p = post({ ...inReview, channels: [CHANNEL, connected.id] });
    const fake = server('approver', { in_review: [p] }, {
      [`GET /api/v1/tenants/acme/posts/${p.id}`]: p,
      [`GET /api/v1/tenants/acme/posts/${p.id}/revisions`]: revisions,
    });
    let listed = 0;
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(String(input), init);
      if (new URL(request.url, 'http://localhost').pathname === '/api/v1/tenants/acme/channels') {
        listed += 1;
        // The first answer predates the new channel (as a cached list would).
        const items = listed === 1 ? channels.items : [...channels.items, connected];
        return new Response(JSON.stringify({ items, next_cursor: null }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        });
      }
      return fake.fetch(input, init);
    });
    renderAt(<ApprovalQueue />, { path: '/t/:tenant/approvals', route: `/t/acme/approvals?post=${p.id}` });
    const queue = (await screen.findByRole('heading', { name: 'Waiting for approval (1)' })).closest('section')!;
    expect(await within(queue).findByText('City Mastodon, City Bluesky')).toBeInTheDocument();
    expect(within(queue).queryByText(/A channel/)).toBeNull();
    expect(listed).toBe(2);
  });

  it('shows what changed since the previous version, not by colour alone', async () => {
    setup();
    const changes = (await screen.findByRole('heading', { name: 'What changed since the last version' })).closest(
      'section',
    )!;
    const removed = await within(changes).findByText((_, el) => el?.tagName === 'DEL' && /9/.test(el.textContent ?? ''));
    expect(removed).toHaveTextContent('removed: 9');
    const added = within(changes).getByText((_, el) => el?.tagName === 'INS' && /10/.test(el.textContent ?? ''));
    expect(added).toHaveTextContent('added: 10');
    expect(within(changes).getByText(/Time changed/)).toBeInTheDocument();
  });

  it('approves with a comment', async () => {
    const fake = setup();
    const comment = await screen.findByLabelText('Comment with your approval (optional)');
    await userEvent.type(comment, 'Fine by me');
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => {
      const sent = fake.calls.find((c) => c.method === 'POST' && c.path.endsWith('/posts/p-1/approve'));
      expect(sent?.body).toEqual({ comment: 'Fine by me' });
    });
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Post approved.'));
    // The decision section is gone: focus is on the review's heading.
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull());
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: /^Review/ })).toHaveFocus());
  });

  it('requires a reason to reject', async () => {
    const fake = setup();
    await userEvent.click(await screen.findByRole('button', { name: 'Reject…' }));
    const dialog = screen.getByRole('dialog', { name: 'Reject this post' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Reject post' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('Give a reason for the rejection.');
    expect(fake.calls.some((c) => c.path.endsWith('/reject'))).toBe(false);

    await userEvent.type(within(dialog).getByLabelText('Reason'), 'The time is wrong');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Reject post' }));
    await waitFor(() => {
      const sent = fake.calls.find((c) => c.method === 'POST' && c.path.endsWith('/posts/p-1/reject'));
      expect(sent?.body).toEqual({ reason: 'The time is wrong' });
    });
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Post rejected'));
    await waitFor(() => expect(screen.getByRole('heading', { level: 2, name: /^Review/ })).toHaveFocus());
  });

  it('tells the author that someone else must approve', async () => {
    setup(post({ ...inReview, id: 'p-2', author_id: ME }));
    expect(await screen.findByText('You wrote this; someone else must approve it.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('shows the server refusing a self-approval', async () => {
    setup(inReview, {
      'POST /api/v1/tenants/acme/posts/p-1/approve': {
        status: 403,
        body: {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          code: 'approval.self_approval_forbidden',
          detail: 'you wrote or last edited this post; someone else must approve it',
        },
      },
    });
    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'You cannot approve your own post: someone else must approve it.',
    );
  });

  it('adds a comment', async () => {
    const fake = setup(inReview, {
      'POST /api/v1/tenants/acme/posts/p-1/comments': inReview,
    });
    await userEvent.type(await screen.findByLabelText('Your comment'), 'Please check the time');
    await userEvent.click(screen.getByRole('button', { name: 'Add comment' }));
    await waitFor(() => {
      const sent = fake.calls.find((c) => c.method === 'POST' && c.path.endsWith('/comments'));
      expect(sent?.body).toEqual({ text: 'Please check the time' });
    });
    await waitFor(() => expect(screen.getByTestId('announcer')).toHaveTextContent('Comment added.'));
  });
});

describe('ApprovalQueue accessibility', () => {
  it('has no axe findings, with the reject dialog closed and open', async () => {
    setup();
    await screen.findByRole('heading', { name: 'What changed since the last version' });
    await screen.findByText((_, el) => el?.tagName === 'INS');
    await screen.findByText('Changed the time after the call.');
    expect(await axeViolations()).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Reject…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Reject post' }));
    await screen.findByText('Give a reason for the rejection.', { selector: '.error-text' });
    expect(await axeViolations()).toEqual([]);
  }, 30_000);
});
