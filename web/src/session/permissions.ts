// The permission matrix of docs/security.md, so screens hide controls the role cannot use.
// The server enforces it anyway; this only keeps the UI honest.
import type { Role } from '../api/types';

export type Resource =
  | 'contact'
  | 'company'
  | 'activity'
  | 'tag'
  | 'custom_field'
  | 'api_key'
  | 'user'
  | 'audit'
  | 'settings'
  | 'segment';
export type Action = 'read' | 'create' | 'update' | 'delete';

type Cell = 'A' | 'O' | '-';
// Columns: owner, admin, manager, member, viewer.
const MATRIX: Record<Resource, Record<Action, [Cell, Cell, Cell, Cell, Cell]>> = {
  contact: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', 'A', 'A', '-'],
    update: ['A', 'A', 'A', 'O', '-'],
    delete: ['A', 'A', 'A', 'O', '-'],
  },
  company: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', 'A', 'A', '-'],
    update: ['A', 'A', 'A', 'O', '-'],
    delete: ['A', 'A', 'A', 'O', '-'],
  },
  activity: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', 'A', 'A', '-'],
    update: ['A', 'A', 'A', '-', '-'],
    delete: ['A', 'A', 'A', '-', '-'],
  },
  tag: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', 'A', 'A', '-'],
    update: ['A', 'A', 'A', '-', '-'],
    delete: ['A', 'A', 'A', '-', '-'],
  },
  custom_field: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', '-', '-', '-'],
    update: ['A', 'A', '-', '-', '-'],
    delete: ['A', 'A', '-', '-', '-'],
  },
  api_key: {
    read: ['A', 'A', '-', '-', '-'],
    create: ['A', 'A', '-', '-', '-'],
    update: ['A', 'A', '-', '-', '-'],
    delete: ['A', 'A', '-', '-', '-'],
  },
  user: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', '-', '-', '-'],
    update: ['A', 'A', '-', '-', '-'],
    delete: ['A', 'A', '-', '-', '-'],
  },
  audit: {
    read: ['A', 'A', '-', '-', '-'],
    create: ['-', '-', '-', '-', '-'],
    update: ['-', '-', '-', '-', '-'],
    delete: ['-', '-', '-', '-', '-'],
  },
  settings: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', '-', '-', '-'],
    update: ['A', 'A', '-', '-', '-'],
    delete: ['A', 'A', '-', '-', '-'],
  },
  segment: {
    read: ['A', 'A', 'A', 'A', 'A'],
    create: ['A', 'A', 'A', 'A', '-'],
    update: ['A', 'A', 'A', '-', '-'],
    delete: ['A', 'A', 'A', '-', '-'],
  },
};

const COLUMN: Record<Role, number> = { owner: 0, admin: 1, manager: 2, member: 3, viewer: 4 };

/**
 * Whether `role` may do `action` on `resource`. For "own records only" cells pass the
 * record's `owner_id` and the user's id: allowed when the record is theirs or unassigned;
 * without a record (e.g. a bulk action) it counts as allowed and the server decides per row.
 */
export function can(
  role: Role | undefined,
  action: Action,
  resource: Resource,
  record?: { owner_id: number | null } | null,
  userId?: number | null,
): boolean {
  if (!role) return false;
  const cell = MATRIX[resource][action][COLUMN[role]];
  if (cell === 'A') return true;
  if (cell === '-') return false;
  if (!record) return true;
  return record.owner_id === null || (userId != null && record.owner_id === userId);
}

/** Roles `role` may grant (nobody grants above their own; only owners grant owner). */
export function grantableRoles(role: Role | undefined): Role[] {
  if (role === 'owner') return ['owner', 'admin', 'manager', 'member', 'viewer'];
  if (role === 'admin') return ['admin', 'manager', 'member', 'viewer'];
  return [];
}
