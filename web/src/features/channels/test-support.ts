// Test support for the screens of channels, members, policy, audit and administration.
// jsdom has no `showModal`/`close` on <dialog>: tests of screens with a ConfirmDialog install
// small stand-ins (the open attribute only), enough for what the tests check.
export function polyfillDialog(): void {
  const proto = HTMLDialogElement.prototype as HTMLDialogElement & Record<string, unknown>;
  if (typeof proto.showModal !== 'function') {
    proto.showModal = function (this: HTMLDialogElement) {
      this.setAttribute('open', '');
    };
  }
  if (typeof proto.close !== 'function') {
    proto.close = function (this: HTMLDialogElement) {
      this.removeAttribute('open');
    };
  }
}

/**
 * Lets the announcer's short timer (layout/live.tsx sets the message 50 ms after clearing it)
 * fire while the test's window still exists; otherwise it may fire after the environment is
 * torn down and fail the run.
 */
export function settleAnnouncer(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 80));
}
