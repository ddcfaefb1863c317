import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderAt } from '../../test/render';
import PostDetail from './PostDetail';
import { AUTHOR, BLUESKY, MASTODON, POST_ID, TENANT, baseRoutes, post } from './fixtures';

const base = `/api/v1/tenants/${TENANT}/posts/${POST_ID}`;

const target = (over: Record<string, unknown>) => ({
  id: 'tg-1',
  channel_id: MASTODON,
  status: 'pending',
  body: 'Road works',
  due_at: '2025-05-02T08:00:00Z',
  attempts: 0,
  remote_id: null,
  remote_url: null,
  last_error: null,
  needs_confirmation: false,
  thread_parts: [],
  published_at: null,
  ...over,
});

const partly = post({
  status: 'partially_published',
  scheduled_at: '2025-05-02T08:00:00Z',
  campaign: 'Road works',
  approval: {
    steps: [{ name: 'Communications lead', role: 'approver', approvals_required: 1 }],
    current_step: 1,
    approvals: [{ user_id: 'u-approver', step: 0, at: '2025-05-01T09:00:00Z' }],
  },
  targets: [
    target({
      id: 'tg-1',
      channel_id: MASTODON,
      status: 'published',
      attempts: 1,
      remote_id: '1123',
      remote_url: 'https://social.example/@city/1123',
      published_at: '2025-05-02T08:00:05Z',
    }),
    target({
      id: 'tg-2',
      channel_id: BLUESKY,
      status: 'failed',
      attempts: 5,
      last_error: 'The network refused the login',
    }),
  ],
  comments: [
    { id: 'c1', user_id: 'u-approver', kind: 'approval', text: 'Fine by me', revision: 1, at: '2025-05-01T09:00:00Z' },
  ],
});

function start(routes: Record<string, unknown>, role = 'approver') {
  const server = fakeServer({
    ...baseRoutes(role),
    [`GET /api/v1/tenants/${TENANT}/members`]: {
      items: [
        { user_id: AUTHOR, email: 'e@acme.example', name: 'Eda Editor', role: 'editor', mfa_enabled: true, joined_at: '2025-01-01T00:00:00Z' },
        { user_id: 'u-approver', email: 'a@acme.example', name: 'Abe Approver', role: 'approver', mfa_enabled: true, joined_at: '2025-01-01T00:00:00Z' },
      ],
      next_cursor: null,
    },
    ...routes,
  });
  vi.stubGlobal('fetch', server.fetch);
  renderAt(<PostDetail />, { path: '/t/:tenant/posts/:id', route: `/t/${TENANT}/posts/${POST_ID}` });
  return server;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('PostDetail', () => {
  it("links to a published target and retries a failed one", async () => {
    const user = userEvent.setup();
    const server = start({
      [`GET ${base}`]: partly,
      [`POST ${base}/retry`]: post({ ...partly, status: 'publishing' }),
    });
    const link = await screen.findByRole('link', { name: /View on Mastodon/ });
    expect(link).toHaveAttribute('href', 'https://social.example/@city/1123');
    expect(link).not.toHaveAttribute('target');

    const table = screen.getByRole('table', { name: 'How the post went on each channel' });
    const failedRow = within(table).getByRole('row', { name: /City Bluesky/ });
    expect(within(failedRow).getByText('Failed')).toBeInTheDocument();
    expect(within(failedRow).getByText('The network refused the login')).toBeInTheDocument();
    expect(within(failedRow).getByText('5')).toBeInTheDocument();

    expect(await screen.findByText('Eda Editor')).toBeInTheDocument();
    expect(screen.getAllByText(/Abe Approver/).length).toBeGreaterThan(0);

    await user.click(screen.getByRole('button', { name: 'Try the failed channels again' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.path === `${base}/retry`)).toBe(true));
    expect(await screen.findByText('The failed channels are being tried again.')).toBeInTheDocument();
  });

  it('lists every approval of every round of review, those that no longer count too', async () => {
    const reviewed = post({
      ...partly,
      approval_history: [
        { user_id: 'u-approver', step: 0, revision: 1, round: 1, at: '2025-04-30T09:00:00Z' },
        { user_id: 'u-approver', step: 0, revision: 2, round: 2, at: '2025-05-01T09:00:00Z' },
      ],
    });
    start({ [`GET ${base}`]: reviewed });
    const section = (await screen.findByRole('heading', { name: 'Every approval' })).closest('section')!;
    const items = within(section).getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent('Abe Approver approved revision 1 in round 1 of review,');
    expect(items[1]).toHaveTextContent('Abe Approver approved revision 2 in round 2 of review,');
  });

  it('offers no retry or removal to an editor', async () => {
    start({ [`GET ${base}`]: partly }, 'editor');
    await screen.findByRole('link', { name: /View on Mastodon/ });
    expect(screen.queryByRole('button', { name: 'Try the failed channels again' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Remove from/ })).toBeNull();
  });

  it('removes a published target after confirming', async () => {
    const user = userEvent.setup();
    const server = start({
      [`GET ${base}`]: partly,
      [`DELETE ${base}/targets/tg-1`]: partly,
    });
    await user.click(await screen.findByRole('button', { name: /Remove from Mastodon/ }));
    const dialog = screen.getByRole('dialog', { name: 'Remove the post from City Mastodon?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove it' }));
    await waitFor(() =>
      expect(server.calls.some((c) => c.method === 'DELETE' && c.path === `${base}/targets/tg-1`)).toBe(true),
    );
    expect(await screen.findByText('The post was removed from City Mastodon.')).toBeInTheDocument();
  });

  it('retracts a published post with a reason, which it asks for first', async () => {
    const user = userEvent.setup();
    const retracted = post({
      ...partly,
      is_record: true,
      retracted_at: '2025-05-03T10:00:00Z',
      retract_reason: 'Wrong date in the text',
      targets: [target({ id: 'tg-1', status: 'deleted', remote_id: '1123', attempts: 1 })],
    });
    const server = start({
      [`GET ${base}`]: { ...partly, is_record: true },
      [`POST ${base}/retract`]: retracted,
    });
    expect(screen.queryByRole('button', { name: 'Delete post' })).toBeNull();
    await user.click(await screen.findByRole('button', { name: 'Retract from every network' }));
    const dialog = screen.getByRole('dialog', { name: 'Retract this post from every network?' });
    await user.click(within(dialog).getByRole('button', { name: 'Retract it' }));
    expect(await within(dialog).findByText(/Give a reason/)).toBeInTheDocument();
    expect(server.calls.some((c) => c.path === `${base}/retract`)).toBe(false);
    await user.type(within(dialog).getByLabelText('Reason (kept in the record)'), 'Wrong date in the text');
    await user.click(within(dialog).getByRole('button', { name: 'Retract it' }));
    await waitFor(() =>
      expect(server.calls.find((c) => c.path === `${base}/retract`)?.body).toEqual({
        reason: 'Wrong date in the text',
      }),
    );
    expect(await screen.findByText('The post was retracted from its networks.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Retracted from its networks' })).toBeInTheDocument();
    expect(screen.getByText('Wrong date in the text')).toBeInTheDocument();
  });

  it('offers deletion only for a draft that never went into review', async () => {
    start({ [`GET ${base}`]: post({ is_record: true, reject_reason: 'Say which street' }) }, 'editor');
    await screen.findByRole('button', { name: 'Submit for approval' });
    expect(screen.queryByRole('button', { name: 'Delete post' })).toBeNull();
  });

  it('submits a draft and adds a comment', async () => {
    const user = userEvent.setup();
    const server = start(
      {
        [`GET ${base}`]: post(),
        [`POST ${base}/submit`]: post({ status: 'in_review' }),
        [`POST ${base}/comments`]: post({
          comments: [{ id: 'c2', user_id: AUTHOR, kind: 'comment', text: 'Checked the dates', revision: 1, at: '2025-05-01T10:00:00Z' }],
        }),
      },
      'editor',
    );
    await user.type(await screen.findByRole('textbox', { name: 'Add a comment' }), 'Checked the dates');
    await user.click(screen.getByRole('button', { name: 'Add comment' }));
    await waitFor(() =>
      expect(server.calls.find((c) => c.path === `${base}/comments`)?.body).toEqual({ text: 'Checked the dates' }),
    );
    expect(await screen.findByText('Comment added.')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    await waitFor(() => expect(server.calls.some((c) => c.path === `${base}/submit`)).toBe(true));
    expect(await screen.findByText('Post submitted for approval.')).toBeInTheDocument();
  });

  it('asks before sending a held post and explains why it waits', async () => {
    const user = userEvent.setup();
    const held = post({
      status: 'approved',
      targets: [target({ needs_confirmation: true })],
    });
    const server = start({ [`GET ${base}`]: held, [`POST ${base}/confirm`]: held });
    expect(await screen.findByRole('heading', { name: /Waiting for confirmation/ })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send now' }));
    const dialog = screen.getByRole('dialog', { name: 'Send this post now?' });
    expect(dialog).toHaveTextContent('past the grace period');
    await user.click(within(dialog).getByRole('button', { name: 'Send now' }));
    await waitFor(() => expect(server.calls.some((c) => c.path === `${base}/confirm`)).toBe(true));
  });

  it('moves focus to the heading when a confirmed action removes its button', async () => {
    const user = userEvent.setup();
    const held = post({
      status: 'approved',
      targets: [target({ needs_confirmation: true })],
    });
    start({
      [`GET ${base}`]: held,
      [`POST ${base}/confirm`]: post({ status: 'publishing', targets: [target({ needs_confirmation: false })] }),
    });
    await user.click(await screen.findByRole('button', { name: 'Send now' }));
    const dialog = screen.getByRole('dialog', { name: 'Send this post now?' });
    await user.click(within(dialog).getByRole('button', { name: 'Send now' }));
    await waitFor(() => expect(screen.queryByRole('heading', { name: /Waiting for confirmation/ })).toBeNull());
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveFocus());
  });

  it('moves focus to the heading after withdrawing, and back to the button when it fails', async () => {
    const user = userEvent.setup();
    const server = start(
      {
        [`GET ${base}`]: post({ status: 'in_review' }),
        [`POST ${base}/cancel`]: {
          status: 409,
          body: { status: 409, code: 'post.conflict', title: 'Conflict', type: 'about:blank', detail: 'changed meanwhile' },
        },
      },
      'editor',
    );
    const withdraw = await screen.findByRole('button', { name: 'Withdraw post' });
    await user.click(withdraw);
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Withdraw post' }));
    expect(await screen.findByRole('alert')).toBeInTheDocument();
    await waitFor(() => expect(withdraw).toHaveFocus());
    expect(server.calls.filter((c) => c.path === `${base}/cancel`)).toHaveLength(1);
  });
});
