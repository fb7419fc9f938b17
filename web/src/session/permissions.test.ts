import { describe, expect, it } from 'vitest';
import { can, grantableRoles } from './permissions';

describe('permissions', () => {
  it('follows the matrix of docs/security.md', () => {
    expect(can('viewer', 'read', 'contact')).toBe(true);
    expect(can('viewer', 'create', 'contact')).toBe(false);
    expect(can('viewer', 'create', 'activity')).toBe(false);
    expect(can('member', 'create', 'contact')).toBe(true);
    expect(can('manager', 'create', 'custom_field')).toBe(false);
    expect(can('admin', 'read', 'audit')).toBe(true);
    expect(can('manager', 'read', 'audit')).toBe(false);
    expect(can(undefined, 'read', 'contact')).toBe(false);
  });

  it('lets a member change only their own or unassigned records', () => {
    expect(can('member', 'update', 'contact', { owner_id: null }, 3)).toBe(true);
    expect(can('member', 'update', 'contact', { owner_id: 3 }, 3)).toBe(true);
    expect(can('member', 'update', 'contact', { owner_id: 4 }, 3)).toBe(false);
    expect(can('manager', 'update', 'contact', { owner_id: 4 }, 3)).toBe(true);
  });

  it('grants no role above one’s own', () => {
    expect(grantableRoles('owner')).toContain('owner');
    expect(grantableRoles('admin')).not.toContain('owner');
    expect(grantableRoles('manager')).toEqual([]);
  });
});
