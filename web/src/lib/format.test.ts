import { describe, expect, it } from 'vitest';
import { contactName, formatDate, humanize, monthlyCounts } from './format';
import { inSegmentRule, segmentChoices } from './segmentFilter';
import { customChanges, customFromInput } from './custom';
import type { CustomField } from '../api/types';

const base = { id: 9, first_name: null, last_name: null, email: null, phone: null, external_id: null };

describe('contactName', () => {
  it('prefers the full name, then email, phone, external id, id', () => {
    expect(contactName({ ...base, first_name: 'Ana', last_name: 'Silva' })).toBe('Ana Silva');
    expect(contactName({ ...base, last_name: 'Silva' })).toBe('Silva');
    expect(contactName({ ...base, email: 'a@b.co', phone: '+1555' })).toBe('a@b.co');
    expect(contactName({ ...base, phone: '+1555' })).toBe('+1555');
    expect(contactName({ ...base, external_id: 'crm-1' })).toBe('crm-1');
    expect(contactName(base)).toBe('Contact #9');
  });
});

describe('formatting', () => {
  it('shows a bare date as that calendar day in any time zone', () => {
    expect(formatDate('1990-04-01', 'en-US')).toBe('Apr 1, 1990');
  });
  it('humanizes names', () => {
    expect(humanize('email_opened')).toBe('Email opened');
    expect(humanize('at_risk')).toBe('At risk');
  });
});

describe('monthlyCounts', () => {
  it('buckets timestamps into the last N months, oldest first', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    const out = monthlyCounts(
      ['2026-11-20T09:00:00Z', '2026-11-01T00:00:00Z', '2026-09-30T23:59:59Z', '2025-11-30T00:00:00Z', '2025-12-01T00:00:00Z'],
      12,
      now,
    );
    expect(out).toHaveLength(12);
    expect(out[0]).toEqual({ month: '2025-12', count: 1 });
    expect(out[11]).toEqual({ month: '2026-11', count: 2 });
    expect(out[9]).toEqual({ month: '2026-09', count: 1 });
    expect(out.reduce((s, m) => s + m.count, 0)).toBe(4);
  });
});

describe('segment filter', () => {
  it('quotes the segment name as a rule string literal', () => {
    expect(inSegmentRule('newsletter')).toBe('in_segment("newsletter")');
    expect(inSegmentRule('say "hi" \\ now')).toBe('in_segment("say \\"hi\\" \\\\ now")');
  });
  it('reads a page or an array of segments', () => {
    const rows = [
      { id: 2, name: 'b', member_count: 5 },
      { id: 1, name: 'a', member_count: 3 },
      { id: 'x', name: 'bad' },
    ];
    expect(segmentChoices({ data: rows, next_cursor: null })).toEqual([
      { id: 1, name: 'a', member_count: 3 },
      { id: 2, name: 'b', member_count: 5 },
    ]);
    expect(segmentChoices(rows)).toHaveLength(2);
    expect(segmentChoices(null)).toEqual([]);
  });
});

describe('custom values', () => {
  const field = (type: CustomField['type']): CustomField => ({
    id: 1,
    entity: 'contact',
    key: 'k',
    label: 'K',
    type,
    options: null,
    required: false,
    version: 1,
    created_at: '',
    updated_at: '',
  });
  it('converts inputs by type', () => {
    expect(customFromInput('42', field('number'))).toBe(42);
    expect(customFromInput('4x', field('number'))).toBe('4x');
    expect(customFromInput('', field('text'))).toBeNull();
    expect(customFromInput(true, field('boolean'))).toBe(true);
    expect(customFromInput(' pro ', field('enum'))).toBe('pro');
  });
  it('patches only changed keys', () => {
    expect(customChanges({ a: 1, b: 'x' }, { a: 1, b: 'y' })).toEqual({ b: 'y' });
    expect(customChanges({ a: 1 }, { a: 1 })).toBeUndefined();
    expect(customChanges({ a: 1 }, { a: null })).toEqual({ a: null });
  });
});
