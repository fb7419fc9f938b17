// Keeps the builder and the text box in sync through the server's preview: whichever the user
// edited last is sent (debounced) to POST /segments/preview; a valid answer rewrites the other
// side from the canonical form the server returns, and brings the live count and a sample.

import { useCallback, useEffect, useRef, useState } from 'react';

import { isApiError } from '../api/client';
import { previewSegment, type PreviewResult, type RuleError, type RuleJson, type RuleSource } from '../api/segments';
import { nodeForError, rootFromJson, ruleToJson, type GroupNode, type PathIndex } from './model';

export const PREVIEW_DEBOUNCE_MS = 300;

type Edit = { from: 'text' | 'builder' | 'load'; source: RuleSource | null; seq: number };

export interface RuleSync {
  root: GroupNode;
  text: string;
  setRoot: (root: GroupNode) => void;
  setText: (text: string) => void;
  /** Replaces both sides at once (a loaded or saved segment). */
  reset: (text: string, json: RuleJson | null) => void;
  preview: PreviewResult | null;
  previewing: boolean;
  previewError: unknown;
  /** Errors with a line and column (text form). */
  textErrors: RuleError[];
  /** Errors from the builder's JSON, by node id. */
  nodeErrors: Map<string, string[]>;
  /** Errors that belong to no row or line. */
  otherErrors: string[];
  /** What to save: the side the user edited last; null when there is no rule yet. */
  source: RuleSource | null;
}

export function useRuleSync(initialText = '', initialJson: RuleJson | null = null): RuleSync {
  const [root, setRootState] = useState<GroupNode>(() => rootFromJson(initialJson));
  const [text, setTextState] = useState(initialText);
  const [edit, setEdit] = useState<Edit>({ from: 'load', source: null, seq: 0 });
  const [preview, setPreview] = useState<PreviewResult | null>(null);
  const [previewing, setPreviewing] = useState(false);
  const [previewError, setPreviewError] = useState<unknown>(undefined);
  const [textErrors, setTextErrors] = useState<RuleError[]>([]);
  const [nodeErrors, setNodeErrors] = useState<Map<string, string[]>>(new Map());
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const pathIndex = useRef<PathIndex>(new Map());
  const seq = useRef(0);

  const setRoot = useCallback((next: GroupNode) => {
    setRootState(next);
    const index: PathIndex = new Map();
    const json = ruleToJson(next, index);
    pathIndex.current = index;
    seq.current += 1;
    setEdit({ from: 'builder', source: json ? { rule_json: json } : null, seq: seq.current });
  }, []);

  const setText = useCallback((next: string) => {
    setTextState(next);
    seq.current += 1;
    setEdit({ from: 'text', source: next.trim() ? { rule: next } : null, seq: seq.current });
  }, []);

  const reset = useCallback((nextText: string, json: RuleJson | null) => {
    const nextRoot = rootFromJson(json);
    const index: PathIndex = new Map();
    ruleToJson(nextRoot, index);
    pathIndex.current = index;
    setRootState(nextRoot);
    setTextState(nextText);
    seq.current += 1;
    setEdit({ from: 'load', source: json ? { rule_json: json } : null, seq: seq.current });
  }, []);

  useEffect(() => {
    const current = edit;
    if (!current.source) {
      setPreview(null);
      setPreviewing(false);
      setTextErrors([]);
      setNodeErrors(new Map());
      setOtherErrors([]);
      if (current.from === 'builder') setTextState('');
      if (current.from === 'text') setRootState(rootFromJson(null));
      return;
    }
    const ctrl = new AbortController();
    setPreviewing(true);
    const timer = setTimeout(() => {
      previewSegment(current.source!, { signal: ctrl.signal, limit: 10 })
        .then((res) => {
          if (ctrl.signal.aborted || current.seq !== seq.current) return;
          setPreview(res);
          setPreviewError(undefined);
          setPreviewing(false);
          const located: RuleError[] = [];
          const byNode = new Map<string, string[]>();
          const other: string[] = [];
          for (const e of res.errors) {
            if (e.line > 0) {
              located.push(e);
              continue;
            }
            const node = current.from === 'text' ? undefined : nodeForError(e.message, pathIndex.current);
            if (node) byNode.set(node, [...(byNode.get(node) ?? []), stripPath(e.message)]);
            else other.push(e.message);
          }
          setTextErrors(located);
          setNodeErrors(byNode);
          setOtherErrors(other);
          if (!res.valid) return;
          if (current.from === 'builder' && res.rule !== undefined) setTextState(res.rule);
          if (current.from === 'text' && res.rule_json) {
            const nextRoot = rootFromJson(res.rule_json);
            const index: PathIndex = new Map();
            ruleToJson(nextRoot, index);
            pathIndex.current = index;
            setRootState(nextRoot);
          }
        })
        .catch((e: unknown) => {
          if (ctrl.signal.aborted || (e instanceof DOMException && e.name === 'AbortError')) return;
          setPreviewing(false);
          setPreviewError(e);
          // A 422 names the problem in its field errors; show them rather than a bare status.
          if (isApiError(e)) setOtherErrors(e.fieldErrors.map((f) => `${f.field}: ${f.message}`));
        });
    }, current.from === 'load' ? 0 : PREVIEW_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [edit]);

  return {
    root,
    text,
    setRoot,
    setText,
    reset,
    preview,
    previewing,
    previewError,
    textErrors,
    nodeErrors,
    otherErrors,
    source: edit.from === 'text' ? edit.source : (() => {
      const json = ruleToJson(root);
      return json ? { rule_json: json } : null;
    })(),
  };
}

/** "rule.and[1].value: expected a number" -> "expected a number" (the row shows where). */
function stripPath(message: string): string {
  const m = /^rule(?:[.[][^:\s]*)?:\s*/.exec(message);
  return m ? message.slice(m[0].length) : message;
}
