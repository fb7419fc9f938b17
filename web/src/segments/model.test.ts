import { describe, expect, it } from 'vitest';

import type { RuleJson } from '../api/segments';
import {
  appendChild,
  isEmpty,
  newCondition,
  newFilter,
  newGroup,
  nodeForError,
  removeNode,
  rootFromJson,
  ruleFromJson,
  ruleToJson,
  updateNode,
  withOp,
  type ActivityNode,
  type FieldNode,
  type PathIndex,
  type RuleNode,
} from './model';

function named(kind: 'tag' | 'in_segment', name: string, negated = false): RuleNode {
  return { ...(newCondition(kind) as Extract<RuleNode, { kind: 'tag' }>), kind, name, negated } as RuleNode;
}

// Rules as the server prints them (src/segments/rule_json.cpp ToJson): the builder must
// write each back unchanged.
const SERVER_RULES: Record<string, RuleJson> = {
  field: { field: 'email', op: 'contains', value: 'gmail' },
  tag: { tag: 'vip' },
  in_segment: { in_segment: 'loyal buyers' },
  number: { field: 'company.size', op: '>=', value: 50 },
  decimal: { field: 'custom.score', op: '<', value: 0.75 },
  boolean: { field: 'custom.newsletter', op: '=', value: true },
  is_set: { field: 'phone', op: 'is_set' },
  in: { field: 'lifecycle_stage', op: 'in', values: ['lead', 'customer'] },
  between_dates: {
    field: 'created_at',
    op: 'between',
    values: [{ date: '2024-01-01' }, { date: '2024-12-31' }],
  },
  on: { field: 'birthday', op: 'on', value: { date: '1990-02-28' } },
  within_next: { field: 'birthday', op: 'within_next', days: 7 },
  anniversary: { field: 'custom.joined', anniversary: true, op: 'within_last', days: 30 },
  count: {
    activity: 'count',
    type: 'purchase',
    where: [{ key: 'channel', op: '=', value: 'web' }],
    window: { last_days: 365 },
    op: '>=',
    value: 3,
  },
  sum: {
    activity: 'sum',
    type: 'purchase',
    attribute: 'amount',
    window: { last_days: 90 },
    op: '>',
    value: 200.5,
  },
  exists: { activity: 'exists', type: 'email_opened', window: { last_days: 30 } },
  last: { activity: 'last', type: 'purchase', op: 'before_days_ago', days: 180 },
  first_between_window: {
    activity: 'first',
    type: 'purchase',
    window: { from: '2024-01-01', to: '2024-03-31' },
    op: 'within_last',
    days: 30,
  },
  filters_in: {
    activity: 'count',
    type: 'web_visit',
    where: [
      { key: 'properties.page', op: 'in', values: ['/pricing', '/plans'] },
      { key: 'channel', op: '!=', value: 'email' },
    ],
    window: { last_days: 7 },
    op: 'between',
    values: [2, 10],
  },
  not: { not: { tag: 'churned' } },
  not_not: { not: { not: { tag: 'churned' } } },
  nested: {
    and: [
      { tag: 'vip' },
      { or: [{ field: 'email', op: 'starts_with', value: 'a' }, { not: { tag: 'b' } }] },
      { not: { and: [{ tag: 'x' }, { tag: 'y' }] } },
    ],
  },
};

describe('rule JSON <-> builder model', () => {
  for (const [name, json] of Object.entries(SERVER_RULES)) {
    it(`round-trips ${name}`, () => {
      expect(ruleToJson(ruleFromJson(json))).toEqual(json);
      // The builder's root is always a group; a lone condition still round-trips.
      expect(ruleToJson(rootFromJson(json))).toEqual(json);
    });
  }

  it('keeps literal types the way they came', () => {
    const n = ruleFromJson(SERVER_RULES.between_dates!) as FieldNode;
    expect(n.values.map((v) => v.type)).toEqual(['date', 'date']);
    const b = ruleFromJson(SERVER_RULES.boolean!) as FieldNode;
    expect(b.value).toEqual({ text: 'true', type: 'boolean' });
  });

  it('maps activity conditions to editable rows', () => {
    const n = ruleFromJson(SERVER_RULES.count!) as ActivityNode;
    expect(n.aggregate).toBe('count');
    expect(n.window).toEqual({ kind: 'last_days', days: '365' });
    expect(n.filters).toHaveLength(1);
    expect(n.filters[0]!.key).toBe('channel');
    expect(n.value).toEqual({ text: '3', type: 'number' });
    expect((ruleFromJson(SERVER_RULES.exists!) as ActivityNode).window.kind).toBe('last_days');
    expect((ruleFromJson(SERVER_RULES.last!) as ActivityNode).window.kind).toBe('all');
  });

  it('rejects shapes the server never prints', () => {
    expect(() => ruleFromJson({ bogus: 1 } as unknown as RuleJson)).toThrow(/unknown rule node/);
  });
});

describe('builder edits -> JSON', () => {
  it('writes nothing for an empty builder and drops empty groups', () => {
    const root = newGroup('and', [newGroup('or')]);
    expect(isEmpty(root)).toBe(true);
    expect(ruleToJson(root)).toBeNull();
    const tag = named('tag', 'vip');
    expect(ruleToJson(newGroup('and', [newGroup('or'), tag]))).toEqual({ tag: 'vip' });
  });

  it('builds groups, negation and activity filters', () => {
    let root = newGroup('and');
    const tag = named('tag', 'vip');
    const sub = newGroup('or');
    root = appendChild(appendChild(root, root.id, tag), root.id, sub);
    const activity = newCondition('activity') as ActivityNode;
    root = appendChild(root, sub.id, { ...activity, filters: [{ ...newFilter(), value: { text: 'web', type: 'text' } }] });
    root = appendChild(root, sub.id, named('in_segment', 'loyal', true));
    expect(ruleToJson(root)).toEqual({
      and: [
        { tag: 'vip' },
        {
          or: [
            {
              activity: 'count',
              type: 'purchase',
              where: [{ key: 'channel', op: '=', value: 'web' }],
              window: { last_days: 365 },
              op: '>=',
              value: 1,
            },
            { not: { in_segment: 'loyal' } },
          ],
        },
      ],
    });
    root = removeNode(root, tag.id);
    expect(ruleToJson(root)).toMatchObject({ or: [{ activity: 'count' }, { not: {} }] });
  });

  it('sends each operator its operand only', () => {
    const f = newCondition('field') as FieldNode;
    const base = { ...f, field: 'birthday', value: { text: '2000-01-01', type: 'text' as const } };
    expect(ruleToJson(withOp(base, 'on'))).toEqual({
      field: 'birthday',
      op: 'on',
      value: { date: '2000-01-01' },
    });
    expect(ruleToJson({ ...withOp(base, 'within_next'), days: '7' })).toEqual({
      field: 'birthday',
      op: 'within_next',
      days: 7,
    });
    expect(ruleToJson(withOp(base, 'is_not_set'))).toEqual({ field: 'birthday', op: 'is_not_set' });
    const inRule = {
      ...withOp(f, 'in'),
      values: [
        { text: 'a', type: 'text' as const },
        { text: '', type: 'text' as const },
        { text: 'b', type: 'text' as const },
      ],
    };
    expect(ruleToJson(inRule)).toEqual({ field: 'email', op: 'in', values: ['a', 'b'] });
  });

  it('sends sum() with its attribute and exists() without a comparison', () => {
    const a = newCondition('activity') as ActivityNode;
    expect(ruleToJson({ ...a, aggregate: 'sum', value: { text: '200.00', type: 'number' } })).toEqual(
      {
        activity: 'sum',
        type: 'purchase',
        attribute: 'amount',
        window: { last_days: 365 },
        op: '>=',
        value: 200,
      },
    );
    expect(ruleToJson({ ...a, aggregate: 'exists', window: { kind: 'all' } })).toEqual({
      activity: 'exists',
      type: 'purchase',
    });
  });

  it('leaves unfinished values for the server to point at', () => {
    const f = { ...(newCondition('field') as FieldNode), field: 'company.size', op: '>' as const };
    expect(ruleToJson({ ...f, value: { text: 'abc', type: 'number' } })).toMatchObject({ value: 'abc' });
    expect(ruleToJson({ ...withOp(f, 'within_last'), days: 'x' })).toMatchObject({ days: -1 });
  });

  it('updates one node without touching the others', () => {
    const tag = named('tag', 'a');
    const other = named('tag', 'b');
    const root = newGroup('or', [tag, other]);
    const next = updateNode(root, tag.id, () => named('tag', 'z'));
    expect(ruleToJson(next)).toEqual({ or: [{ tag: 'z' }, { tag: 'b' }] });
    expect((next as typeof root).children[1]).toBe(other);
  });
});

describe('server errors -> rows', () => {
  it('finds the row a JSON path names, through collapsed groups and negation', () => {
    const bad = { ...(newCondition('field') as FieldNode), field: 'company.size', op: '>' as const };
    const tag = named('tag', 'vip');
    const negated = named('tag', 'x', true);
    const inner = newGroup('or', [negated]);
    const root = newGroup('and', [tag, newGroup('or'), bad, inner]);
    const index: PathIndex = new Map();
    expect(ruleToJson(root, index)).toEqual({
      and: [{ tag: 'vip' }, { field: 'company.size', op: '>', value: '' }, { not: { tag: 'x' } }],
    });
    expect(nodeForError('rule.and[1].value: expected a number', index)).toBe(bad.id);
    expect(nodeForError('rule.and[2].not.tag: unknown tag', index)).toBe(negated.id);
    expect(nodeForError('rule.and[0]: unknown tag "vip"', index)).toBe(tag.id);
    expect(nodeForError('rule: too long', index)).toBe(root.id);
  });

  it('maps a lone condition at the top to that condition', () => {
    const tag = named('tag', 'vip');
    const index: PathIndex = new Map();
    ruleToJson(newGroup('and', [tag]), index);
    expect(nodeForError('rule.tag: expected a string', index)).toBe(tag.id);
  });
});
