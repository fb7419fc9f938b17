// The builder's editable model of a rule and its conversion to and from the rule's JSON form.
//
// The builder edits strings (what the inputs hold) and keeps the type each literal had, so a
// rule read from JSON is written back unchanged: ruleToJson(ruleFromJson(j)) deep-equals j for
// every rule the server prints. Incomplete rows are written as they are; the server's preview
// names their JSON path (`rule.and[1].value`), which pathOf() maps back to the row.

import {
  AMOUNT_OPS,
  DATE_OPS,
  FIELD_OPS,
  operandOf,
  type ActivityFilterJson,
  type ActivityRule,
  type Aggregate,
  type RuleJson,
  type RuleLiteral,
  type RuleOp,
  type RuleWindow,
} from '../api/segments';

export type LiteralType = 'text' | 'number' | 'boolean' | 'date';

/** One literal as the inputs hold it: the text and what type to send it as. */
export interface Value {
  text: string;
  type: LiteralType;
}

/** An operator with its operand: `value` (one), `values` (in, between) or `days`. */
export interface Comparison {
  op: RuleOp;
  value: Value;
  values: Value[];
  days: string;
}

interface Base {
  id: string;
  /** Written as {"not": ...}. */
  negated: boolean;
}

export interface GroupNode extends Base {
  kind: 'group';
  combinator: 'and' | 'or';
  children: RuleNode[];
}

export interface FieldNode extends Base, Comparison {
  kind: 'field';
  field: string;
  anniversary: boolean;
}

export interface TagNode extends Base {
  kind: 'tag';
  name: string;
}

export interface SegmentNode extends Base {
  kind: 'in_segment';
  name: string;
}

export interface FilterRow extends Comparison {
  id: string;
  key: string;
}

export type WindowModel =
  | { kind: 'all' }
  | { kind: 'last_days'; days: string }
  | { kind: 'between'; from: string; to: string };

export interface ActivityNode extends Base, Comparison {
  kind: 'activity';
  aggregate: Aggregate;
  type: string;
  attribute: string;
  filters: FilterRow[];
  window: WindowModel;
}

export type RuleNode = GroupNode | FieldNode | TagNode | SegmentNode | ActivityNode;
export type ConditionKind = Exclude<RuleNode['kind'], 'group'>;

// ---------------------------------------------------------------------------------------
// Construction

let nextId = 0;
/** Ids only tell rows apart for React keys and error mapping; they never reach the server. */
export function newId(): string {
  nextId += 1;
  return `n${nextId}`;
}

export function emptyValue(type: LiteralType = 'text'): Value {
  return { text: '', type };
}

function emptyComparison(op: RuleOp, type: LiteralType = 'text'): Comparison {
  return { op, value: emptyValue(type), values: [emptyValue(type), emptyValue(type)], days: '' };
}

export function newGroup(combinator: 'and' | 'or' = 'and', children: RuleNode[] = []): GroupNode {
  return { kind: 'group', id: newId(), negated: false, combinator, children };
}

export function newCondition(kind: ConditionKind): RuleNode {
  switch (kind) {
    case 'field':
      return {
        kind,
        id: newId(),
        negated: false,
        field: 'email',
        anniversary: false,
        ...emptyComparison('contains'),
      };
    case 'tag':
      return { kind, id: newId(), negated: false, name: '' };
    case 'in_segment':
      return { kind, id: newId(), negated: false, name: '' };
    case 'activity':
      return {
        kind,
        id: newId(),
        negated: false,
        aggregate: 'count',
        type: 'purchase',
        attribute: '',
        filters: [],
        window: { kind: 'last_days', days: '365' },
        ...emptyComparison('>=', 'number'),
        value: { text: '1', type: 'number' },
      };
  }
}

export function newFilter(): FilterRow {
  return { id: newId(), key: 'channel', ...emptyComparison('=') };
}

// ---------------------------------------------------------------------------------------
// JSON -> model

function literalToValue(lit: RuleLiteral | undefined): Value {
  if (lit === undefined) return emptyValue();
  if (typeof lit === 'number') return { text: String(lit), type: 'number' };
  if (typeof lit === 'boolean') return { text: String(lit), type: 'boolean' };
  if (typeof lit === 'object' && lit !== null) return { text: lit.date, type: 'date' };
  return { text: lit, type: 'text' };
}

function comparisonFromJson(
  j: { op?: RuleOp; value?: RuleLiteral; values?: RuleLiteral[]; days?: number },
  fallbackOp: RuleOp,
): Comparison {
  const op = j.op ?? fallbackOp;
  const value = literalToValue(j.value);
  const values = (j.values ?? []).map(literalToValue);
  // The value inputs of an operator switched later start with the same type.
  const type = j.value !== undefined ? value.type : (values[0]?.type ?? 'text');
  while (values.length < 2) values.push(emptyValue(type));
  return { op, value, values, days: j.days === undefined ? '' : String(j.days) };
}

function windowFromJson(w: RuleWindow | undefined): WindowModel {
  if (!w) return { kind: 'all' };
  if ('last_days' in w) return { kind: 'last_days', days: String(w.last_days) };
  return { kind: 'between', from: w.from, to: w.to };
}

/** The model of a rule; throws on a shape the server would not print. */
export function ruleFromJson(j: RuleJson): RuleNode {
  if ('and' in j || 'or' in j) {
    const combinator = 'and' in j ? 'and' : 'or';
    const children = ('and' in j ? j.and : (j as { or: RuleJson[] }).or).map(ruleFromJson);
    return newGroup(combinator, children);
  }
  if ('not' in j) {
    const inner = ruleFromJson(j.not);
    // not(not x): the inner `not` stays visible as a negated one-rule group.
    if (inner.negated) return { ...newGroup('and', [inner]), negated: true };
    return { ...inner, negated: true };
  }
  if ('tag' in j) return { kind: 'tag', id: newId(), negated: false, name: j.tag };
  if ('in_segment' in j) {
    return { kind: 'in_segment', id: newId(), negated: false, name: j.in_segment };
  }
  if ('field' in j) {
    return {
      kind: 'field',
      id: newId(),
      negated: false,
      field: j.field,
      anniversary: j.anniversary === true,
      ...comparisonFromJson(j, '='),
    };
  }
  if ('activity' in j) {
    const a = j as ActivityRule;
    return {
      kind: 'activity',
      id: newId(),
      negated: false,
      aggregate: a.activity,
      type: a.type,
      attribute: a.attribute ?? '',
      filters: (a.where ?? []).map((f) => ({
        id: newId(),
        key: f.key,
        ...comparisonFromJson(f, '='),
      })),
      window: windowFromJson(a.window),
      ...comparisonFromJson(a, a.activity === 'first' || a.activity === 'last' ? 'within_last' : '>='),
    };
  }
  throw new Error(`unknown rule node: ${JSON.stringify(j)}`);
}

// ---------------------------------------------------------------------------------------
// Model -> JSON

function valueToLiteral(v: Value): RuleLiteral {
  switch (v.type) {
    case 'number': {
      const t = v.text.trim();
      // Not a number yet: sent as text so the server's message points at this value.
      return t !== '' && Number.isFinite(Number(t)) ? Number(t) : v.text;
    }
    case 'boolean':
      if (v.text === 'true') return true;
      if (v.text === 'false') return false;
      return v.text;
    case 'date':
      return { date: v.text.trim() };
    default:
      return v.text;
  }
}

function daysToJson(days: string): number {
  const t = days.trim();
  const n = Number(t);
  // The server rejects a non-integer with a message at this path; NaN is not JSON.
  return t !== '' && Number.isInteger(n) ? n : -1;
}

function putComparison(c: Comparison, out: Record<string, unknown>): void {
  out.op = c.op;
  switch (operandOf(c.op)) {
    case 'none':
      break;
    case 'days':
      out.days = daysToJson(c.days);
      break;
    case 'value':
      out.value = valueToLiteral(c.value);
      break;
    case 'values': {
      const values = c.op === 'between' ? c.values.slice(0, 2) : c.values;
      out.values = values
        .filter((v, i) => c.op === 'between' || i === 0 || v.text.trim() !== '')
        .map(valueToLiteral);
      break;
    }
  }
}

function windowToJson(w: WindowModel): RuleWindow | undefined {
  switch (w.kind) {
    case 'all':
      return undefined;
    case 'last_days':
      return { last_days: daysToJson(w.days) };
    case 'between':
      return { from: w.from.trim(), to: w.to.trim() };
  }
}

/** Where each node's JSON sits (`rule.and[1].not`), for mapping the server's errors back. */
export type PathIndex = Map<string, string>;

function conditionToJson(n: Exclude<RuleNode, GroupNode>): RuleJson {
  switch (n.kind) {
    case 'tag':
      return { tag: n.name };
    case 'in_segment':
      return { in_segment: n.name };
    case 'field': {
      const out: Record<string, unknown> = { field: n.field.trim() };
      if (n.anniversary) out.anniversary = true;
      putComparison(n, out);
      return out as unknown as RuleJson;
    }
    case 'activity': {
      const out: Record<string, unknown> = { activity: n.aggregate, type: n.type.trim() };
      if (n.aggregate === 'sum') out.attribute = n.attribute.trim() || 'amount';
      if (n.filters.length > 0) {
        out.where = n.filters.map((f) => {
          const fo: Record<string, unknown> = { key: f.key.trim() };
          putComparison(f, fo);
          return fo as unknown as ActivityFilterJson;
        });
      }
      const w = windowToJson(n.window);
      if (w) out.window = w;
      if (n.aggregate !== 'exists') putComparison(n, out);
      return out as unknown as RuleJson;
    }
  }
}

function toJson(n: RuleNode, path: string, index: PathIndex): RuleJson | null {
  let inner: RuleJson | null;
  const innerPath = n.negated ? `${path}.not` : path;
  if (n.kind === 'group') {
    const kids: RuleJson[] = [];
    for (const c of n.children) {
      const j = toJson(c, `${innerPath}.${n.combinator}[${kids.length}]`, index);
      if (j) kids.push(j);
    }
    if (kids.length === 0) return null;
    if (kids.length === 1) {
      // A one-rule group is that rule (the server does the same): the child owns the path.
      reindex(index, `${innerPath}.${n.combinator}[0]`, innerPath);
      inner = kids[0] ?? null;
    } else {
      index.set(innerPath, n.id);
      inner = n.combinator === 'and' ? { and: kids } : { or: kids };
    }
  } else {
    index.set(innerPath, n.id);
    inner = conditionToJson(n);
  }
  if (!inner) return null;
  if (!n.negated) return inner;
  index.set(path, n.id);
  return { not: inner };
}

function reindex(index: PathIndex, from: string, to: string): void {
  for (const [p, id] of [...index]) {
    if (p === from || p.startsWith(`${from}.`) || p.startsWith(`${from}[`)) {
      index.delete(p);
      index.set(to + p.slice(from.length), id);
    }
  }
}

/** True for a group with no conditions anywhere below it. */
export function isEmpty(n: RuleNode): boolean {
  return n.kind === 'group' && n.children.every(isEmpty);
}

/** The rule's JSON form, or null when the builder holds no condition yet. */
export function ruleToJson(n: RuleNode, index: PathIndex = new Map()): RuleJson | null {
  return toJson(n, 'rule', index);
}

/** The row a JSON-form error is about: the longest indexed path its message starts with. */
export function nodeForError(message: string, index: PathIndex): string | undefined {
  const path = message.split(':', 1)[0] ?? '';
  let best: string | undefined;
  let bestLen = -1;
  for (const [p, id] of index) {
    const boundary = path.length === p.length || '.['.includes(path[p.length] ?? '');
    if (path.startsWith(p) && boundary && p.length > bestLen) {
      best = id;
      bestLen = p.length;
    }
  }
  return best;
}

/** The builder's root: always a group, so the top level can hold several conditions. */
export function rootFromJson(j: RuleJson | null | undefined): GroupNode {
  if (!j) return newGroup('and');
  const n = ruleFromJson(j);
  if (n.kind === 'group' && !n.negated) return n;
  return newGroup('and', [n]);
}

// ---------------------------------------------------------------------------------------
// Edits (immutable: each returns a new tree)

export function updateNode(root: RuleNode, id: string, f: (n: RuleNode) => RuleNode): RuleNode {
  if (root.id === id) return f(root);
  if (root.kind !== 'group') return root;
  let changed = false;
  const children = root.children.map((c) => {
    const u = updateNode(c, id, f);
    if (u !== c) changed = true;
    return u;
  });
  return changed ? { ...root, children } : root;
}

export function removeNode(root: GroupNode, id: string): GroupNode {
  const walk = (g: GroupNode): GroupNode => ({
    ...g,
    children: g.children
      .filter((c) => c.id !== id)
      .map((c) => (c.kind === 'group' ? walk(c) : c)),
  });
  return walk(root);
}

export function appendChild(root: GroupNode, groupId: string, child: RuleNode): GroupNode {
  return updateNode(root, groupId, (g) =>
    g.kind === 'group' ? { ...g, children: [...g.children, child] } : g,
  ) as GroupNode;
}

/** The operators a condition may use. */
export function opsFor(n: FieldNode | ActivityNode): readonly RuleOp[] {
  if (n.kind === 'activity') {
    if (n.aggregate === 'first' || n.aggregate === 'last') return DATE_OPS;
    return AMOUNT_OPS;
  }
  return n.anniversary ? DATE_OPS : FIELD_OPS;
}


/** Switching operator keeps the operand when its kind stays, and dates for date operators. */
export function withOp<C extends Comparison>(c: C, op: RuleOp): C {
  const dateOnly = op === 'before' || op === 'after' || op === 'on';
  const retype = (v: Value): Value => (dateOnly ? { ...v, type: 'date' } : v);
  return { ...c, op, value: retype(c.value), values: c.values.map(retype) };
}
