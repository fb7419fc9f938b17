// Which rows of a fixed-row-height list to render for a scroll position.

export interface VirtualRange {
  /** First row to render (inclusive). */
  start: number;
  /** One past the last row to render. */
  end: number;
  /** Pixel offset of row `start` from the top of the list. */
  offsetTop: number;
  /** Height of the whole list in pixels. */
  totalHeight: number;
}

export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  rowCount: number,
  overscan = 8,
): VirtualRange {
  const totalHeight = Math.max(0, rowCount * rowHeight);
  if (rowCount <= 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(rowCount, last + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** True when the rendered range comes within `threshold` rows of the loaded end. */
export function needsMore(range: VirtualRange, loaded: number, threshold = 50): boolean {
  return range.end + threshold >= loaded;
}

/** Scroll offset that brings row `index` into view (unchanged when it already is). */
export function scrollToRow(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
  return scrollTop;
}
