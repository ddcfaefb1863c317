import { afterEach, describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import i18n from 'i18next';
import { ApiProblem } from './client';
import { ProblemMessage } from './problem';

const problem = new ApiProblem(422, {
  status: 422,
  code: 'post.invalid',
  detail: 'The post does not fit every channel.',
  errors: [{ field: 'body', message: 'Mastodon does not take this link' }],
});

afterEach(async () => {
  await i18n.changeLanguage('en');
});

describe('ProblemMessage', () => {
  it("marks the server's English messages as English in a Dutch UI", async () => {
    await i18n.changeLanguage('nl');
    render(<ProblemMessage error={problem} />);
    expect(screen.getByText('Mastodon does not take this link')).toHaveAttribute('lang', 'en');
  });

  it('does not mark them in the English UI', () => {
    render(<ProblemMessage error={problem} />);
    expect(screen.getByText('Mastodon does not take this link')).not.toHaveAttribute('lang');
  });

  it('shows a network failure in the UI language only', async () => {
    await i18n.changeLanguage('nl');
    render(<ProblemMessage error={new ApiProblem(0, undefined)} />);
    expect(screen.getByRole('alert')).toHaveTextContent(
      'De server is niet bereikbaar. Controleer uw verbinding en probeer het opnieuw.',
    );
    expect(screen.getByRole('alert')).not.toHaveTextContent('—');
  });
});
