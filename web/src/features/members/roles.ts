// The roles a member can have, in the order people choose them (most rights first).
import type { Role } from '../../auth/session';

export const roles = ['owner', 'approver', 'editor', 'analyst', 'records_officer'] as const satisfies readonly Role[];
