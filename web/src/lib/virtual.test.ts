import { describe, expect, it } from 'vitest';
import { needsMore, scrollToRow, visibleRange } from './virtual';

describe('visibleRange', () => {
  it('renders the rows in view plus overscan at the top of the list', () => {
    expect(visibleRange(0, 440, 44, 1000, 5)).toEqual({ start: 0, end: 15, offsetTop: 0, totalHeight: 44000 });
  });

  it('follows the scroll position', () => {
    // Rows 100..110 are in view at 4400px.
    const r = visibleRange(4400, 440, 44, 1000, 5);
    expect(r.start).toBe(95);
    expect(r.end).toBe(115);
    expect(r.offsetTop).toBe(95 * 44);
  });

  it('counts a partly visible row', () => {
    const r = visibleRange(22, 44, 44, 1000, 0);
    expect([r.start, r.end]).toEqual([0, 2]);
  });

  it('clamps at the end and past it', () => {
    const r = visibleRange(1_000_000, 440, 44, 100, 5);
    expect(r.end).toBe(100);
    expect(r.start).toBe(85);
    expect(r.totalHeight).toBe(4400);
  });

  it('handles a list shorter than the viewport and an empty list', () => {
    expect(visibleRange(0, 1000, 44, 3)).toEqual({ start: 0, end: 3, offsetTop: 0, totalHeight: 132 });
    expect(visibleRange(0, 1000, 44, 0)).toEqual({ start: 0, end: 0, offsetTop: 0, totalHeight: 0 });
  });

  it('stays small for a million rows', () => {
    const r = visibleRange(44 * 500_000, 880, 44, 1_000_000, 8);
    expect(r.end - r.start).toBeLessThanOrEqual(20 + 16 + 1);
    expect(r.totalHeight).toBe(44_000_000);
  });
});

describe('needsMore', () => {
  it('asks for the next page near the end of the loaded rows', () => {
    expect(needsMore({ start: 0, end: 30, offsetTop: 0, totalHeight: 0 }, 200, 50)).toBe(false);
    expect(needsMore({ start: 140, end: 160, offsetTop: 0, totalHeight: 0 }, 200, 50)).toBe(true);
  });
});

describe('scrollToRow', () => {
  it('scrolls only when the row is outside the viewport', () => {
    expect(scrollToRow(5, 0, 440, 44)).toBe(0);
    expect(scrollToRow(12, 0, 440, 44)).toBe(13 * 44 - 440);
    expect(scrollToRow(2, 440, 440, 44)).toBe(88);
  });
});
