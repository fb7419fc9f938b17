import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import * as auth from '../api/auth';
import { isApiError, onUnauthorized } from '../api/client';
import type { Me, Role, WorkspaceMembership } from '../api/types';
import { restoreWorkspace, selectWorkspace } from '../api/workspaces';
import { can, type Action, type Resource } from './permissions';

export type SessionStatus = 'loading' | 'signed-out' | 'signed-in' | 'error';

export interface SessionValue {
  status: SessionStatus;
  me: Me | null;
  error: string | null;
  role: Role | undefined;
  userId: number | null;
  workspaces: WorkspaceMembership[];
  workspaceId: number | null;
  /** Bumped when the workspace changes so screens reload their data. */
  workspaceEpoch: number;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  switchWorkspace: (id: number) => Promise<void>;
  refresh: () => Promise<void>;
  can: (
    action: Action,
    resource: Resource,
    record?: { owner_id: number | null } | null,
  ) => boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [epoch, setEpoch] = useState(0);

  const load = useCallback(async () => {
    try {
      const who = await auth.me();
      setMe(who);
      setError(null);
      setStatus('signed-in');
    } catch (e) {
      if (isApiError(e) && e.status === 404) {
        // The remembered workspace is gone (or the user left it): fall back to the default.
        selectWorkspace(null);
        try {
          setMe(await auth.me());
          setStatus('signed-in');
          return;
        } catch (e2) {
          e = e2;
        }
      }
      if (isApiError(e) && e.status === 401) {
        setMe(null);
        setStatus('signed-out');
      } else {
        setError(e instanceof Error ? e.message : String(e));
        setStatus('error');
      }
    }
  }, []);

  useEffect(() => {
    restoreWorkspace();
    void load();
    return onUnauthorized(() => {
      setMe(null);
      setStatus('signed-out');
    });
  }, [load]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const res = await auth.login(email, password);
      // Keep a remembered workspace only if this user belongs to it.
      const saved = restoreWorkspace();
      if (saved && !res.workspaces.some((w) => String(w.id) === saved)) selectWorkspace(null);
      await load();
      setEpoch((n) => n + 1);
    },
    [load],
  );

  const signOut = useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      setMe(null);
      setStatus('signed-out');
    }
  }, []);

  const switchWorkspace = useCallback(
    async (id: number) => {
      selectWorkspace(id);
      await load();
      setEpoch((n) => n + 1);
    },
    [load],
  );

  const value = useMemo<SessionValue>(() => {
    const role = me?.role as Role | undefined;
    const userId = me?.user?.id ?? null;
    return {
      status,
      me,
      error,
      role,
      userId,
      workspaces: me?.workspaces ?? [],
      workspaceId: me?.workspace_id ?? null,
      workspaceEpoch: epoch,
      signIn,
      signOut,
      switchWorkspace,
      refresh: load,
      can: (action, resource, record) => can(role, action, resource, record, userId),
    };
  }, [status, me, error, epoch, signIn, signOut, switchWorkspace, load]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
