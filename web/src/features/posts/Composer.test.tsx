import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderAt } from '../../test/render';
import Composer from './Composer';
import { BLUESKY, MASTODON, POST_ID, TENANT, baseRoutes, post } from './fixtures';

const posts = `/api/v1/tenants/${TENANT}/posts`;

function start(routes: Record<string, unknown> = {}, route = `/t/${TENANT}/compose`) {
  const server = fakeServer({ ...baseRoutes(), ...routes });
  vi.stubGlobal('fetch', server.fetch);
  const path = route.endsWith('/edit') ? '/t/:tenant/posts/:id/edit' : '/t/:tenant/compose';
  renderAt(<Composer />, { path, route });
  return server;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('Composer', () => {
  it('creates a draft for two channels with a variant and a schedule in a chosen zone, then submits it', async () => {
    const user = userEvent.setup();
    const server = start({
      [`POST ${posts}`]: { status: 201, body: post() },
      [`POST ${posts}/${POST_ID}/submit`]: post({ status: 'in_review' }),
    });

    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.click(screen.getByRole('checkbox', { name: /City Bluesky/ }));
    await user.click(screen.getByRole('textbox', { name: 'Text' }));
    await user.paste('Road works on Main Street.');
    await user.click(screen.getByRole('checkbox', { name: 'Write a different text for City Bluesky' }));
    await user.click(screen.getByRole('textbox', { name: 'Text for City Bluesky' }));
    await user.paste('Road works 🚧');
    await user.click(screen.getByRole('radio', { name: 'At a time' }));
    fireEvent.change(screen.getByLabelText('Date and time'), { target: { value: '2030-06-01T10:00' } });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Time zone' }), 'America/New_York');
    expect(await screen.findByText(/That is .* in Europe\/Amsterdam/)).toBeInTheDocument();
    await user.click(screen.getByRole('textbox', { name: 'Campaign (optional)' }));
    await user.paste('Road works');

    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));

    await waitFor(() =>
      expect(server.calls.some((c) => c.path === `${posts}/${POST_ID}/submit`)).toBe(true),
    );
    const create = server.calls.find((c) => c.method === 'POST' && c.path === posts);
    expect(create?.body).toEqual({
      body: 'Road works on Main Street.',
      channels: [MASTODON, BLUESKY],
      variants: { [BLUESKY]: 'Road works 🚧' },
      media: [],
      scheduled_at: '2030-06-01T10:00:00-04:00',
      time_zone: 'America/New_York',
      campaign: 'Road works',
    });
    expect(await screen.findByText('Post submitted for approval.')).toBeInTheDocument();
  }, 15_000);

  it('shows how many characters are too many for a network', async () => {
    const user = userEvent.setup();
    start();
    await user.click(await screen.findByRole('checkbox', { name: /City Bluesky/ }));
    await user.click(screen.getByRole('textbox', { name: 'Text' }));
    await user.paste('x'.repeat(305));
    const card = screen.getByRole('article', { name: 'City Bluesky' });
    expect(within(card).getByText(/305 \/ 300/)).toBeInTheDocument();
    expect(within(card).getByText(/5 characters too many/)).toBeInTheDocument();
  });

  it('counts an emoji as one character', async () => {
    const user = userEvent.setup();
    start();
    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.click(screen.getByRole('textbox', { name: 'Text' }));
    await user.paste('👨‍👩‍👧 ok');
    const card = screen.getByRole('article', { name: 'City Mastodon' });
    expect(within(card).getByText('4 / 500')).toBeInTheDocument();
  });

  it("shows the connectors' own checks under their channel once typing rests", async () => {
    const user = userEvent.setup();
    const server = start({
      [`POST ${posts}/validate`]: {
        valid: false,
        problems: [{ channel_id: BLUESKY, field: 'body', message: 'Bluesky needs alt text on every image' }],
      },
    });
    await user.click(await screen.findByRole('checkbox', { name: /City Bluesky/ }));
    await user.click(screen.getByRole('textbox', { name: 'Text' }));
    await user.paste('Hello');
    const card = screen.getByRole('article', { name: 'City Bluesky' });
    expect(
      await within(card).findByText('Bluesky needs alt text on every image', {}, { timeout: 3000 }),
    ).toBeInTheDocument();
    const check = server.calls.find((c) => c.path === `${posts}/validate`);
    expect(check?.body).toEqual({ body: 'Hello', channels: [BLUESKY], variants: {}, media: [] });
  });

  it('will not save an image without alt text', async () => {
    const user = userEvent.setup();
    const server = start();
    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.type(screen.getByRole('textbox', { name: 'Text' }), 'See the map.');
    const file = new File(['png'], 'map.png', { type: 'image/png' });
    await user.upload(screen.getByLabelText('Add images'), file);
    expect(await screen.findByRole('textbox', { name: 'Alt text for image 1' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Submit for approval' }));

    const message = 'Describe image 1 (map.png) for people who cannot see it.';
    expect(await screen.findByRole('alert')).toHaveTextContent(message);
    const alt = screen.getByRole('textbox', { name: 'Alt text for image 1' });
    expect(alt).toHaveAttribute('aria-invalid', 'true');
    expect(alt).toHaveAccessibleDescription(expect.stringContaining(message));
    expect(server.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('moves focus to the next image, then to the file picker, when images are removed', async () => {
    const user = userEvent.setup();
    start();
    const picker = await screen.findByLabelText('Add images');
    await user.upload(picker, [
      new File(['png'], 'a.png', { type: 'image/png' }),
      new File(['png'], 'b.png', { type: 'image/png' }),
    ]);
    const second = await screen.findByRole('button', { name: 'Remove image 2' });
    await user.click(screen.getByRole('button', { name: 'Remove image 1' }));
    // The second image is now the first, and its button has the focus.
    await waitFor(() => expect(second).toHaveFocus());
    expect(second).toHaveAccessibleName('Remove image 1');
    await user.click(second);
    await waitFor(() => expect(screen.getByLabelText('Add images')).toHaveFocus());
  });

  it('uploads a described image with its alt text and sends its id', async () => {
    const user = userEvent.setup();
    const server = start({
      [`POST /api/v1/tenants/${TENANT}/media`]: {
        status: 201,
        body: {
          id: 'm1',
          file_name: 'map.png',
          content_type: 'image/png',
          size_bytes: 3,
          sha256: 'abc',
          alt_text: 'Map of the closed streets',
          created_at: '2025-05-01T08:00:00Z',
        },
      },
      [`POST ${posts}`]: { status: 201, body: post({ media: ['m1'] }) },
    });
    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.type(screen.getByRole('textbox', { name: 'Text' }), 'See the map.');
    await user.upload(screen.getByLabelText('Add images'), new File(['png'], 'map.png', { type: 'image/png' }));
    await user.type(
      await screen.findByRole('textbox', { name: 'Alt text for image 1' }),
      'Map of the closed streets',
    );
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.path === posts)).toBe(true));
    const upload = server.calls.find((c) => c.path === `/api/v1/tenants/${TENANT}/media`);
    expect(String(upload?.body)).toContain('Map of the closed streets');
    const create = server.calls.find((c) => c.method === 'POST' && c.path === posts);
    expect((create?.body as { media: string[] }).media).toEqual(['m1']);
    expect(await screen.findByText('Draft saved.')).toBeInTheDocument();
  });

  it('shows a 422 problem next to the channel it is about', async () => {
    const user = userEvent.setup();
    start({
      [`POST ${posts}`]: {
        status: 422,
        body: {
          type: 'urn:heraut:problem:post.invalid',
          title: 'Unprocessable',
          status: 422,
          code: 'post.invalid',
          detail: 'The post does not fit every channel.',
          errors: [
            { channel_id: MASTODON, field: 'body', message: 'Mastodon does not take this link' },
          ],
        },
      },
    });
    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.click(screen.getByRole('checkbox', { name: /City Bluesky/ }));
    await user.type(screen.getByRole('textbox', { name: 'Text' }), 'See http://x');
    await user.click(screen.getByRole('button', { name: 'Save draft' }));

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The post does not fit every channel.');
    const card = screen.getByRole('article', { name: 'City Mastodon' });
    expect(within(card).getByText('Mastodon does not take this link')).toBeInTheDocument();
    const other = screen.getByRole('article', { name: 'City Bluesky' });
    expect(within(other).queryByText('Mastodon does not take this link')).toBeNull();
  });

  it('asks for a channel and a text before saving', async () => {
    const user = userEvent.setup();
    const server = start();
    await screen.findByRole('checkbox', { name: /City Mastodon/ });
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Choose at least one channel.');
    expect(alert).toHaveTextContent('Write the text');
    expect(server.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });

  it('disables a channel that needs reconnecting and says why', async () => {
    start();
    const box = await screen.findByRole('checkbox', { name: /Old Telegram/ });
    expect(box).toBeDisabled();
    expect(box).toHaveAccessibleDescription(/needs reconnecting/);
  });

  it('edits a rejected draft: shows the reason and saves with PATCH', async () => {
    const user = userEvent.setup();
    const rejected = post({
      reject_reason: 'Please name the streets.',
      scheduled_at: '2030-06-01T08:00:00Z',
      variants: { [BLUESKY]: 'Short text' },
    });
    const server = start(
      {
        [`GET ${posts}/${POST_ID}`]: rejected,
        [`PATCH ${posts}/${POST_ID}`]: rejected,
      },
      `/t/${TENANT}/posts/${POST_ID}/edit`,
    );
    expect(await screen.findByText('Please name the streets.')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: /This post was sent back/ })).toBeInTheDocument();
    expect(screen.getByLabelText('Date and time')).toHaveValue('2030-06-01T10:00');
    expect(await screen.findByRole('textbox', { name: 'Text for City Bluesky' })).toHaveValue('Short text');
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'PATCH')).toBe(true));
    const patch = server.calls.find((c) => c.method === 'PATCH');
    expect(patch?.body).toEqual({
      body: rejected.body,
      channels: [MASTODON, BLUESKY],
      variants: { [BLUESKY]: 'Short text' },
      media: [],
      scheduled_at: '2030-06-01T10:00:00+02:00',
      time_zone: 'Europe/Amsterdam',
      campaign: null,
      content_warning: null,
      poll: null,
      thread: [],
    });
  });

  it('sends a poll, a content warning and the parts of a thread, and checks them first', async () => {
    const user = userEvent.setup();
    const server = start({ [`POST ${posts}`]: { status: 201, body: post() } });
    await user.click(await screen.findByRole('checkbox', { name: /City Mastodon/ }));
    await user.click(screen.getByRole('textbox', { name: 'Text' }));
    await user.paste('Will you use the new bridge?');
    await user.click(screen.getByRole('textbox', { name: 'Content warning (optional)' }));
    await user.paste('Traffic');
    await user.click(screen.getByRole('checkbox', { name: 'Add a poll' }));
    await user.click(screen.getByRole('textbox', { name: 'Answers' }));
    await user.paste('Yes');
    await user.click(screen.getByRole('button', { name: 'Add a part' }));
    // One answer and an empty part: said before anything is sent.
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    expect(await screen.findByText('A poll needs at least two answers, one per line.')).toBeInTheDocument();
    expect(screen.getAllByText('Write part 2 of the thread, or remove it.').length).toBeGreaterThan(0);
    expect(server.calls.some((c) => c.method === 'POST' && c.path === posts)).toBe(false);

    await user.type(screen.getByRole('textbox', { name: 'Answers' }), '{Enter}No');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Open for' }), '259200');
    await user.click(screen.getByRole('textbox', { name: 'Part 2' }));
    await user.paste('It opens on 1 May.');
    await user.click(screen.getByRole('button', { name: 'Add a part' }));
    await user.click(screen.getByRole('button', { name: 'Remove part 3' }));
    await user.click(screen.getByRole('button', { name: 'Save draft' }));
    await waitFor(() => expect(server.calls.some((c) => c.method === 'POST' && c.path === posts)).toBe(true));
    const create = server.calls.find((c) => c.method === 'POST' && c.path === posts);
    expect(create?.body).toEqual({
      body: 'Will you use the new bridge?',
      channels: [MASTODON],
      variants: {},
      media: [],
      content_warning: 'Traffic',
      poll: { options: ['Yes', 'No'], expires_in_seconds: 259200, multiple: false },
      thread: ['It opens on 1 May.'],
    });
  }, 15_000);
});
