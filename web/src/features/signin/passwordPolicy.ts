// The server's password rules (heraut-auth `password::check_policy`), mirrored so a person hears
// about a too short or too long password before sending it. The server checks again, and alone
// knows the list of breached passwords.
import { z } from 'zod';

/** Shortest password for an account without two-factor sign-in. */
export const MIN_CHARS_WITHOUT_MFA = 15;
/** Shortest password for an account with two-factor sign-in. */
export const MIN_CHARS_WITH_MFA = 8;
/** Longest password accepted; longer ones are refused, never cut short. */
export const MAX_PASSWORD_CHARS = 256;

/** Counted as the server counts: characters, not UTF-16 units. */
const chars = (s: string) => [...s].length;

/** A new password; error messages are translation keys (`{{min}}`, `{{max}}` filled in). */
export function newPasswordField(min: number) {
  return z
    .string()
    .refine((v) => v.length > 0, 'signin:password_rules.required')
    .refine((v) => v.length === 0 || chars(v) >= min, 'signin:password_rules.too_short')
    .refine((v) => chars(v) <= MAX_PASSWORD_CHARS, 'signin:password_rules.too_long');
}

export const repeatField = z.string().min(1, 'signin:password_rules.repeat_required');

/** The refinement that the repeated password equals the new one, reported on `repeat`. */
export const sameAsNew: [
  (v: { password: string; repeat: string }) => boolean,
  { path: string[]; message: string },
] = [
  (v) => v.repeat.length === 0 || v.password === v.repeat,
  { path: ['repeat'], message: 'signin:password_rules.mismatch' },
];

/** A new password typed twice. */
export function newPasswordSchema(min: number) {
  return z
    .object({ password: newPasswordField(min), repeat: repeatField })
    .refine(...sameAsNew);
}
