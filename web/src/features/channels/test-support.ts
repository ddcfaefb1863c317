// Test support for the screens of channels, members, policy, audit and administration.
// (jsdom's missing modal dialogs are stood in for by src/test/setup.ts.)

/**
 * Lets the announcer's short timer (layout/live.tsx sets the message 50 ms after clearing it)
 * fire while the test's window still exists; otherwise it may fire after the environment is
 * torn down and fail the run.
 */
export function settleAnnouncer(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 80));
}
