// The workspace a user acts in. The choice is remembered in this browser and sent as
// `X-Workspace` on every request.
import { setWorkspaceHeader, workspaceHeader } from './client';
import type { Me, WorkspaceMembership } from './types';

const STORAGE_KEY = 'rapport.workspace';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The remembered choice (workspace id), applied to the client before the first request. */
export function restoreWorkspace(): string | null {
  const saved = storage()?.getItem(STORAGE_KEY) ?? null;
  setWorkspaceHeader(saved);
  return saved;
}

export function selectWorkspace(id: number | null): void {
  setWorkspaceHeader(id);
  const s = storage();
  if (!s) return;
  if (id === null) s.removeItem(STORAGE_KEY);
  else s.setItem(STORAGE_KEY, String(id));
}

export function selectedWorkspace(): string | null {
  return workspaceHeader();
}

/** The user's workspaces from `/auth/me` (empty for API keys). */
export function workspacesOf(me: Me): WorkspaceMembership[] {
  return me.workspaces ?? [];
}

export function currentWorkspace(me: Me): WorkspaceMembership | undefined {
  return workspacesOf(me).find((w) => w.id === me.workspace_id);
}
