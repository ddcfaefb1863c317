import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fakeServer, renderAt } from '../../test/render';
import { settleAnnouncer } from '../channels/test-support';
import ApprovalPolicy from './ApprovalPolicy';
import { me } from '../../test/fixtures';

afterEach(async () => {
  await settleAnnouncer();
  vi.unstubAllGlobals();
});

const policy = {
  steps: [
    { name: 'Editor in chief', role: 'approver', approvals_required: 1 },
    { name: 'Communications lead', role: 'owner', approvals_required: 2 },
  ],
  emergency_steps: [{ name: 'Emergency', role: 'owner', approvals_required: 1 }],
};

function server(role: string, extra: Record<string, unknown> = {}) {
  return fakeServer({
    'GET /api/v1/me': me(role),
    'GET /api/v1/tenants/acme/approval-policy': policy,
    ...extra,
  });
}

const render = () => renderAt(<ApprovalPolicy />, { path: '/t/:tenant/policy', route: '/t/acme/policy' });

describe('ApprovalPolicy', () => {
  it('explains that the author never counts and that changes apply later', async () => {
    vi.stubGlobal('fetch', server('editor').fetch);
    render();
    expect(screen.getByText(/author of a post never counts/)).toBeInTheDocument();
    expect(screen.getByText(/apply to posts submitted after you save/)).toBeInTheDocument();
    expect(await screen.findByText('Editor in chief')).toBeInTheDocument();
    expect(screen.getByText(/2 approvals by people with the role Owner/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save approval policy' })).not.toBeInTheDocument();
  });

  it('reorders, adds and saves steps, keeping the emergency steps', async () => {
    const s = server('owner', {
      'PUT /api/v1/tenants/acme/approval-policy': policy,
    });
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const down = await screen.findByRole('button', { name: 'Move down Step 1' });
    await user.click(down);
    expect(screen.getByRole('textbox', { name: 'Name (Step 1)' })).toHaveValue('Communications lead');
    expect(screen.getByRole('textbox', { name: 'Name (Step 2)' })).toHaveValue('Editor in chief');
    // The moved step is now last: focus stays on it, on the button that still works.
    expect(screen.getByRole('button', { name: 'Move up Step 2' })).toHaveFocus();
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('“Editor in chief” is now step 2 of 2.'),
    );

    await user.click(screen.getByRole('button', { name: 'Add a step' }));
    await user.type(screen.getByRole('textbox', { name: 'Name (Step 3)' }), 'Legal');
    const count = screen.getByRole('spinbutton', { name: 'Approvals required (Step 3)' });
    await user.clear(count);
    await user.type(count, '3');
    await user.click(screen.getByRole('button', { name: 'Save approval policy' }));
    await waitFor(() =>
      expect(s.calls.find((c) => c.method === 'PUT')?.body).toEqual({
        steps: [
          { name: 'Communications lead', role: 'owner', approvals_required: 2 },
          { name: 'Editor in chief', role: 'approver', approvals_required: 1 },
          { name: 'Legal', role: 'approver', approvals_required: 3 },
        ],
        emergency_steps: policy.emergency_steps,
      }),
    );
  });

  it('refuses a count out of range without sending', async () => {
    const s = server('owner');
    vi.stubGlobal('fetch', s.fetch);
    const user = userEvent.setup();
    render();
    const count = await screen.findByRole('spinbutton', { name: 'Approvals required (Step 1)' });
    await user.clear(count);
    await user.type(count, '11');
    await user.click(screen.getByRole('button', { name: 'Save approval policy' }));
    expect(await screen.findByText('Enter a whole number from 1 to 10.')).toBeInTheDocument();
    expect(s.calls.some((c) => c.method === 'PUT')).toBe(false);
  });
});
