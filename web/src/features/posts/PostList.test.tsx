import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderAt } from '../../test/render';
import PostList from './PostList';
import { POST_ID, TENANT, baseRoutes, post } from './fixtures';

const list = `/api/v1/tenants/${TENANT}/posts`;

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('PostList', () => {
  it('lists posts and filters by status through ?status=', async () => {
    const user = userEvent.setup();
    const server = fakeServer({
      ...baseRoutes(),
      [`GET ${list}`]: {
        items: [post({ status: 'failed', scheduled_at: '2025-05-02T08:00:00Z' })],
        next_cursor: null,
      },
    });
    vi.stubGlobal('fetch', server.fetch);
    renderAt(<PostList />, { path: '/t/:tenant/posts', route: `/t/${TENANT}/posts` });

    const link = await screen.findByRole('link', { name: /Road works on Main Street/ });
    expect(link).toHaveAttribute('href', `/t/${TENANT}/posts/${POST_ID}`);
    expect(await screen.findByRole('cell', { name: 'City Mastodon, City Bluesky' })).toBeInTheDocument();

    await user.selectOptions(screen.getByRole('combobox', { name: 'Status' }), 'failed');
    await waitFor(() => expect(server.calls.some((c) => c.path === `${list}?status=failed`)).toBe(true));
  });

  it('loads the next page with the cursor', async () => {
    const user = userEvent.setup();
    const second = post({ id: 'p2', body: 'Second page post' });
    const first = fakeServer({
      ...baseRoutes(),
      [`GET ${list}`]: { items: [post({ id: 'p1' })], next_cursor: 'p1' },
    });
    const next = fakeServer({ [`GET ${list}`]: { items: [second], next_cursor: null } });
    // The fake server matches paths without their query: the second page has its own.
    vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) => {
      const url = input instanceof Request ? input.url : String(input);
      return url.includes('cursor=p1') ? next.fetch(input, init) : first.fetch(input, init);
    });
    renderAt(<PostList />, { path: '/t/:tenant/posts', route: `/t/${TENANT}/posts` });
    await user.click(await screen.findByRole('button', { name: 'Show more' }));
    expect(await screen.findByRole('link', { name: 'Second page post' })).toBeInTheDocument();
    expect(next.calls.map((c) => c.path)).toEqual([`${list}?cursor=p1`]);
    expect(screen.queryByRole('button', { name: 'Show more' })).toBeNull();
  });
});
