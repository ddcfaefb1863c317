// The roles a member can have, in the order people choose them (most rights first).
import type { Role } from '../../auth/session';

export const roles: Role[] = ['owner', 'approver', 'editor', 'analyst', 'records_officer'];

/** Query key of the tenant's members; other screens (names of authors, actors) share it. */
export const membersKey = (slug: string) => ['tenant', slug, 'members'] as const;
