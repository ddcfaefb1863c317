// axe-core on the post screens in their busiest states (colour contrast is checked in the
// browser tests, where styles apply).
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderAt } from '../../test/render';
import Composer from './Composer';
import PostDetail from './PostDetail';
import PostList from './PostList';
import { BLUESKY, MASTODON, POST_ID, TENANT, baseRoutes, post } from './fixtures';

async function axeViolations(): Promise<string[]> {
  const { default: axe } = await import('axe-core');
  const result = await axe.run(document.body, {
    rules: { 'color-contrast': { enabled: false }, region: { enabled: false } },
  });
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html.slice(0, 160)}`));
}

afterEach(() => {
  vi.unstubAllGlobals();
});

const base = `/api/v1/tenants/${TENANT}/posts`;

describe('post screens pass axe', () => {
  it('the composer with channels, a variant, an image, a schedule and errors', async () => {
    const user = userEvent.setup();
    vi.stubGlobal('fetch', fakeServer(baseRoutes()).fetch);
    renderAt(<Composer />, { path: '/t/:tenant/compose', route: `/t/${TENANT}/compose` });
    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.click(screen.getByRole('checkbox', { name: /City Bluesky/ }));
    await user.click(screen.getByRole('textbox', { name: 'Text' }));
    await user.paste('x'.repeat(320));
    await user.click(screen.getByRole('checkbox', { name: 'Write a different text for City Bluesky' }));
    await user.upload(screen.getByLabelText('Add images'), new File(['png'], 'map.png', { type: 'image/png' }));
    await user.click(screen.getByRole('radio', { name: 'At a time' }));
    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));
    await screen.findByRole('alert');
    expect(await axeViolations()).toEqual([]);
  }, 30_000);

  it('the list', async () => {
    vi.stubGlobal(
      'fetch',
      fakeServer({
        ...baseRoutes(),
        [`GET ${base}`]: { items: [post({ status: 'approved', campaign: 'Road works' })], next_cursor: 'p1' },
      }).fetch,
    );
    renderAt(<PostList />, { path: '/t/:tenant/posts', route: `/t/${TENANT}/posts` });
    await screen.findByRole('link', { name: /Road works on Main Street/ });
    expect(await axeViolations()).toEqual([]);
  });

  it('the detail page with targets, approvals, comments and a dialog', async () => {
    const user = userEvent.setup();
    const full = post({
      status: 'partially_published',
      variants: { [BLUESKY]: 'Short' },
      media: ['m1'],
      approval: {
        steps: [{ name: 'Lead', role: 'approver', approvals_required: 1 }],
        current_step: 1,
        approvals: [{ user_id: 'u2', step: 0, at: '2025-05-01T09:00:00Z' }],
      },
      targets: [
        {
          id: 't1', channel_id: MASTODON, status: 'published', body: 'x', due_at: '2025-05-02T08:00:00Z',
          attempts: 1, remote_id: '1', remote_url: 'https://social.example/1', last_error: null,
          needs_confirmation: false, published_at: '2025-05-02T08:00:01Z', thread_parts: [],
        },
        {
          id: 't2', channel_id: BLUESKY, status: 'failed', body: 'x', due_at: '2025-05-02T08:00:00Z',
          attempts: 3, remote_id: null, remote_url: null, last_error: 'refused',
          needs_confirmation: false, published_at: null, thread_parts: [],
        },
      ],
      comments: [{ id: 'c1', user_id: 'u2', kind: 'rejection', text: 'Dates?', revision: 1, at: '2025-05-01T09:00:00Z' }],
      reject_reason: null,
    });
    vi.stubGlobal(
      'fetch',
      fakeServer({
        ...baseRoutes('owner'),
        [`GET ${base}/${POST_ID}`]: full,
        [`GET /api/v1/tenants/${TENANT}/media/m1`]: {
          id: 'm1', file_name: 'map.png', content_type: 'image/png', size_bytes: 3, sha256: 'a',
          alt_text: 'Map of the streets', created_at: '2025-05-01T08:00:00Z',
        },
      }).fetch,
    );
    renderAt(<PostDetail />, { path: '/t/:tenant/posts/:id', route: `/t/${TENANT}/posts/${POST_ID}` });
    await screen.findByRole('link', { name: /View on Mastodon/ });
    await screen.findByAltText('Map of the streets');
    expect(await axeViolations()).toEqual([]);
    await user.click(screen.getByRole('button', { name: /Remove from Mastodon/ }));
    await screen.findByRole('dialog');
    expect(await axeViolations()).toEqual([]);
  });
});
