// The visual rule editor: nested and/or groups (each may be negated) of conditions on fields,
// tags, segment membership and activities. Pure view over the model in model.ts; every edit
// goes through `onChange` with a new tree.

import { useId } from 'react';
import type { ReactNode } from 'react';

import { AGGREGATES, FILTER_OPS, operandOf, type RuleOp } from '../api/segments';
import { ACTIVITY_TYPES, FILTER_KEYS, OP_LABELS, type FieldInfo } from './fields';
import {
  appendChild,
  newCondition,
  newFilter,
  newGroup,
  opsFor,
  removeNode,
  updateNode,
  withOp,
  type ActivityNode,
  type Comparison,
  type ConditionKind,
  type FieldNode,
  type FilterRow,
  type GroupNode,
  type LiteralType,
  type RuleNode,
  type Value,
  type WindowModel,
} from './model';

export interface BuilderContext {
  fields: readonly FieldInfo[];
  tags: readonly string[];
  segments: readonly string[];
  activityTypes: readonly string[];
  readOnly: boolean;
  /** Server messages by node id. */
  errors: ReadonlyMap<string, string[]>;
}

interface Props {
  root: GroupNode;
  onChange: (root: GroupNode) => void;
  ctx: BuilderContext;
}

const KIND_LABELS: Record<ConditionKind, string> = {
  field: 'Field',
  tag: 'Tag',
  in_segment: 'In segment',
  activity: 'Activity',
};

export function RuleBuilder({ root, onChange, ctx }: Props) {
  const listIds = useId();
  const update = (id: string, f: (n: RuleNode) => RuleNode) =>
    onChange(updateNode(root, id, f) as GroupNode);
  const remove = (id: string) => onChange(removeNode(root, id));
  const add = (groupId: string, child: RuleNode) => onChange(appendChild(root, groupId, child));
  const ids = {
    tags: `${listIds}-tags`,
    segments: `${listIds}-segments`,
    types: `${listIds}-types`,
    keys: `${listIds}-keys`,
  };
  return (
    <div className="seg-builder" aria-label="Rule builder" role="group">
      <datalist id={ids.tags}>
        {ctx.tags.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id={ids.segments}>
        {ctx.segments.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      <datalist id={ids.types}>
        {[...new Set([...ACTIVITY_TYPES, ...ctx.activityTypes])].map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <datalist id={ids.keys}>
        {FILTER_KEYS.map((k) => (
          <option key={k} value={k} />
        ))}
      </datalist>
      <GroupEditor
        group={root}
        depth={0}
        ctx={ctx}
        lists={ids}
        update={update}
        remove={remove}
        add={add}
      />
    </div>
  );
}

interface NodeProps {
  ctx: BuilderContext;
  lists: { tags: string; segments: string; types: string; keys: string };
  update: (id: string, f: (n: RuleNode) => RuleNode) => void;
  remove: (id: string) => void;
  add: (groupId: string, child: RuleNode) => void;
}

function Errors({ ctx, id }: { ctx: BuilderContext; id: string }) {
  const messages = ctx.errors.get(id);
  if (!messages || messages.length === 0) return null;
  return (
    <ul className="seg-row-errors" role="alert">
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

function GroupEditor({ group, depth, ...p }: NodeProps & { group: GroupNode; depth: number }) {
  const { ctx } = p;
  const label = depth === 0 ? 'Match' : 'Group: match';
  return (
    <fieldset className={`seg-group seg-depth-${Math.min(depth, 3)}`} data-testid="rule-group">
      <legend className="seg-group-head">
        {depth > 0 && <NegateToggle node={group} {...p} />}
        <Select
          label={label}
          value={group.combinator}
          disabled={ctx.readOnly}
          onChange={(v) =>
            p.update(group.id, (n) => ({ ...(n as GroupNode), combinator: v as 'and' | 'or' }))
          }
          options={[
            ['and', 'all of these (and)'],
            ['or', 'any of these (or)'],
          ]}
        />
        {depth > 0 && !ctx.readOnly && (
          <button type="button" className="btn-link" onClick={() => p.remove(group.id)}>
            Remove group
          </button>
        )}
      </legend>
      <Errors ctx={ctx} id={group.id} />
      {group.children.length === 0 && (
        <p className="seg-hint">No conditions yet{ctx.readOnly ? '.' : ': add one below.'}</p>
      )}
      <ol className="seg-children">
        {group.children.map((child) => (
          <li key={child.id} className="seg-child">
            {child.kind === 'group' ? (
              <GroupEditor group={child} depth={depth + 1} {...p} />
            ) : (
              <ConditionRow node={child} {...p} />
            )}
          </li>
        ))}
      </ol>
      {!ctx.readOnly && (
        <div className="seg-add">
          <button
            type="button"
            className="btn"
            onClick={() => p.add(group.id, newCondition('field'))}
          >
            Add condition
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => p.add(group.id, newCondition('activity'))}
          >
            Add activity condition
          </button>
          <button
            type="button"
            className="btn"
            onClick={() =>
              p.add(group.id, newGroup(group.combinator === 'and' ? 'or' : 'and', [newCondition('field')]))
            }
          >
            Add group
          </button>
        </div>
      )}
    </fieldset>
  );
}

function NegateToggle({ node, ctx, update }: NodeProps & { node: RuleNode }) {
  const id = useId();
  return (
    <span className="seg-not">
      <input
        id={id}
        type="checkbox"
        checked={node.negated}
        disabled={ctx.readOnly}
        onChange={(e) => update(node.id, (n) => ({ ...n, negated: e.target.checked }))}
      />
      <label htmlFor={id}>Not</label>
    </span>
  );
}

function ConditionRow({ node, ...p }: NodeProps & { node: Exclude<RuleNode, GroupNode> }) {
  const { ctx } = p;
  const switchKind = (kind: ConditionKind) =>
    p.update(node.id, () => ({ ...newCondition(kind), id: node.id, negated: node.negated }));
  let body: ReactNode;
  switch (node.kind) {
    case 'field':
      body = <FieldCondition node={node} {...p} />;
      break;
    case 'activity':
      body = <ActivityCondition node={node} {...p} />;
      break;
    case 'tag':
    case 'in_segment':
      body = (
        <Input
          label={node.kind === 'tag' ? 'Tag' : 'Segment'}
          value={node.name}
          list={node.kind === 'tag' ? p.lists.tags : p.lists.segments}
          disabled={ctx.readOnly}
          onChange={(v) => p.update(node.id, (n) => ({ ...n, name: v }))}
        />
      );
      break;
  }
  const invalid = (ctx.errors.get(node.id)?.length ?? 0) > 0;
  return (
    <div className={`seg-row${invalid ? ' is-invalid' : ''}`} data-testid="rule-condition">
      <div className="seg-row-controls">
        <NegateToggle node={node} {...p} />
        <Select
          label="Condition type"
          value={node.kind}
          disabled={ctx.readOnly}
          onChange={(v) => switchKind(v as ConditionKind)}
          options={Object.entries(KIND_LABELS)}
        />
        {body}
        {!ctx.readOnly && (
          <button
            type="button"
            className="btn-icon seg-remove"
            aria-label="Remove condition"
            title="Remove condition"
            onClick={() => p.remove(node.id)}
          >
            ×
          </button>
        )}
      </div>
      <Errors ctx={ctx} id={node.id} />
    </div>
  );
}

function FieldCondition({ node, ...p }: NodeProps & { node: FieldNode }) {
  const { ctx } = p;
  const info = ctx.fields.find((f) => f.path === node.field);
  const fieldOptions: [string, string][] = ctx.fields.map((f) => [f.path, f.label]);
  if (!info) fieldOptions.unshift([node.field, node.field]);
  const set = (patch: Partial<FieldNode>) => p.update(node.id, (n) => ({ ...(n as FieldNode), ...patch }));
  const changeField = (path: string) => {
    const next = ctx.fields.find((f) => f.path === path);
    const type: LiteralType = next?.type ?? 'text';
    const retype = (v: Value): Value => ({ text: type === node.value.type ? v.text : '', type });
    const op: RuleOp = type === 'date' ? 'within_last' : type === 'number' ? '>=' : '=';
    set({
      ...withOp({ ...node, value: retype(node.value), values: node.values.map(retype) }, op),
      field: path,
      anniversary: false,
    });
  };
  return (
    <>
      <Select
        label="Field"
        value={node.field}
        disabled={ctx.readOnly}
        onChange={changeField}
        options={fieldOptions}
      />
      {info?.type === 'date' && node.field !== 'created_at' && node.field !== 'updated_at' && (
        <Check
          label="Yearly"
          checked={node.anniversary}
          disabled={ctx.readOnly}
          onChange={(anniversary) =>
            set({ anniversary, ...(anniversary ? withOp(node, 'within_next') : {}) })
          }
        />
      )}
      <ComparisonEditor
        c={node}
        ops={opsFor(node)}
        type={info?.type ?? node.value.type}
        options={info?.options}
        readOnly={ctx.readOnly}
        onChange={(c) => set(c)}
      />
    </>
  );
}

function ActivityCondition({ node, ...p }: NodeProps & { node: ActivityNode }) {
  const { ctx } = p;
  const set = (patch: Partial<ActivityNode>) =>
    p.update(node.id, (n) => ({ ...(n as ActivityNode), ...patch }));
  const changeAggregate = (aggregate: ActivityNode['aggregate']) => {
    const dated = aggregate === 'first' || aggregate === 'last';
    const wasDated = node.aggregate === 'first' || node.aggregate === 'last';
    if (dated === wasDated) return set({ aggregate });
    const type: LiteralType = dated ? 'date' : 'number';
    set({
      ...withOp(
        { ...node, value: { text: dated ? '' : '1', type }, values: [{ text: '', type }, { text: '', type }] },
        dated ? 'within_last' : '>=',
      ),
      aggregate,
      days: dated ? '30' : node.days,
    });
  };
  const setFilter = (id: string, patch: Partial<FilterRow>) =>
    set({ filters: node.filters.map((f) => (f.id === id ? { ...f, ...patch } : f)) });
  return (
    <div className="seg-activity">
      <Select
        label="Aggregate"
        value={node.aggregate}
        disabled={ctx.readOnly}
        onChange={(v) => changeAggregate(v as ActivityNode['aggregate'])}
        options={AGGREGATES.map((a) => [a, a])}
      />
      <Input
        label="Activity type"
        value={node.type}
        list={p.lists.types}
        disabled={ctx.readOnly}
        onChange={(type) => set({ type })}
      />
      <WindowEditor w={node.window} readOnly={ctx.readOnly} onChange={(window) => set({ window })} />
      {node.aggregate !== 'exists' && (
        <ComparisonEditor
          c={node}
          ops={opsFor(node)}
          type={node.aggregate === 'first' || node.aggregate === 'last' ? 'date' : 'number'}
          readOnly={ctx.readOnly}
          onChange={(c) => set(c)}
        />
      )}
      {node.filters.length > 0 && (
        <ul className="seg-filters" aria-label="Activity filters">
          {node.filters.map((f) => (
            <li key={f.id} className="seg-filter">
              <span className="seg-where">where</span>
              <Input
                label="Filter on"
                value={f.key}
                list={p.lists.keys}
                disabled={ctx.readOnly}
                onChange={(key) => setFilter(f.id, { key })}
              />
              <ComparisonEditor
                c={f}
                ops={FILTER_OPS}
                type="text"
                readOnly={ctx.readOnly}
                onChange={(c) => setFilter(f.id, c)}
              />
              {!ctx.readOnly && (
                <button
                  type="button"
                  className="btn-icon"
                  aria-label="Remove filter"
                  onClick={() => set({ filters: node.filters.filter((x) => x.id !== f.id) })}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!ctx.readOnly && (
        <button
          type="button"
          className="btn-link"
          onClick={() => set({ filters: [...node.filters, newFilter()] })}
        >
          Add filter
        </button>
      )}
    </div>
  );
}

function WindowEditor({
  w,
  readOnly,
  onChange,
}: {
  w: WindowModel;
  readOnly: boolean;
  onChange: (w: WindowModel) => void;
}) {
  return (
    <>
      <Select
        label="Window"
        value={w.kind}
        disabled={readOnly}
        onChange={(kind) =>
          onChange(
            kind === 'all'
              ? { kind: 'all' }
              : kind === 'last_days'
                ? { kind: 'last_days', days: w.kind === 'last_days' ? w.days : '30' }
                : { kind: 'between', from: '', to: '' },
          )
        }
        options={[
          ['all', 'all time'],
          ['last_days', 'in the last … days'],
          ['between', 'between dates'],
        ]}
      />
      {w.kind === 'last_days' && (
        <Input
          label="Window days"
          inputMode="numeric"
          value={w.days}
          disabled={readOnly}
          onChange={(days) => onChange({ ...w, days })}
        />
      )}
      {w.kind === 'between' && (
        <>
          <Input
            label="From"
            type="date"
            value={w.from}
            disabled={readOnly}
            onChange={(from) => onChange({ ...w, from })}
          />
          <Input
            label="To"
            type="date"
            value={w.to}
            disabled={readOnly}
            onChange={(to) => onChange({ ...w, to })}
          />
        </>
      )}
    </>
  );
}

function ComparisonEditor<C extends Comparison>({
  c,
  ops,
  type,
  options,
  readOnly,
  onChange,
}: {
  c: C;
  ops: readonly RuleOp[];
  type: LiteralType;
  options?: readonly string[];
  readOnly: boolean;
  onChange: (c: C) => void;
}) {
  const opOptions: [string, string][] = ops.map((o) => [o, OP_LABELS[o] ?? o]);
  if (!ops.includes(c.op)) opOptions.unshift([c.op, OP_LABELS[c.op] ?? c.op]);
  const operand = operandOf(c.op);
  const dateOp = c.op === 'before' || c.op === 'after' || c.op === 'on';
  const valueType: LiteralType = dateOp ? 'date' : type;
  const valueInput = (v: Value, label: string, set: (v: Value) => void) => (
    <ValueInput
      key={label}
      label={label}
      value={v}
      type={valueType}
      options={options}
      readOnly={readOnly}
      onChange={set}
    />
  );
  return (
    <>
      <Select
        label="Operator"
        value={c.op}
        disabled={readOnly}
        onChange={(op) => onChange(withOp(c, op as RuleOp))}
        options={opOptions}
      />
      {operand === 'value' &&
        valueInput(c.value, 'Value', (value) => onChange({ ...c, value }))}
      {operand === 'days' && (
        <Input
          label="Days"
          inputMode="numeric"
          value={c.days}
          disabled={readOnly}
          onChange={(days) => onChange({ ...c, days })}
        />
      )}
      {operand === 'values' && c.op === 'between' && (
        <>
          {valueInput(c.values[0] ?? { text: '', type: valueType }, 'From value', (v) =>
            onChange({ ...c, values: [v, c.values[1] ?? { text: '', type: valueType }] }),
          )}
          {valueInput(c.values[1] ?? { text: '', type: valueType }, 'To value', (v) =>
            onChange({ ...c, values: [c.values[0] ?? { text: '', type: valueType }, v] }),
          )}
        </>
      )}
      {operand === 'values' && c.op === 'in' && (
        <Input
          label="Values (comma-separated)"
          value={c.values
            .map((v) => v.text)
            .filter((t, i) => i === 0 || t !== '')
            .join(', ')}
          disabled={readOnly}
          onChange={(text) =>
            onChange({
              ...c,
              values: text.split(',').map((t) => ({ text: t.trim(), type: valueType })),
            })
          }
        />
      )}
    </>
  );
}

function ValueInput({
  label,
  value,
  type,
  options,
  readOnly,
  onChange,
}: {
  label: string;
  value: Value;
  type: LiteralType;
  options?: readonly string[];
  readOnly: boolean;
  onChange: (v: Value) => void;
}) {
  const set = (text: string) => onChange({ text, type });
  if (type === 'boolean') {
    return (
      <Select
        label={label}
        value={value.text}
        disabled={readOnly}
        onChange={set}
        options={[
          ['', '—'],
          ['true', 'yes'],
          ['false', 'no'],
        ]}
      />
    );
  }
  if (options && options.length > 0) {
    const opts: [string, string][] = [['', '—'], ...options.map((o): [string, string] => [o, o])];
    if (value.text && !options.includes(value.text)) opts.push([value.text, value.text]);
    return <Select label={label} value={value.text} disabled={readOnly} onChange={set} options={opts} />;
  }
  return (
    <Input
      label={label}
      type={type === 'date' ? 'date' : 'text'}
      inputMode={type === 'number' ? 'decimal' : undefined}
      value={value.text}
      disabled={readOnly}
      onChange={set}
    />
  );
}

// Small labelled controls: the label is visually compact but always present for screen
// readers and tests.
function Select({
  label,
  value,
  options,
  disabled,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly (readonly [string, string])[];
  disabled?: boolean;
  onChange: (v: string) => void;
}) {
  const id = useId();
  return (
    <span className="seg-control">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </span>
  );
}

function Input({
  label,
  value,
  onChange,
  type = 'text',
  list,
  inputMode,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: 'text' | 'date';
  list?: string;
  inputMode?: 'numeric' | 'decimal';
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <span className="seg-control">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        value={value}
        list={list}
        inputMode={inputMode}
        disabled={disabled}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
      />
    </span>
  );
}

function Check({
  label,
  checked,
  disabled,
  onChange,
}: {
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (v: boolean) => void;
}) {
  const id = useId();
  return (
    <span className="seg-control seg-check">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
    </span>
  );
}
