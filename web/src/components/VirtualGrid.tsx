// A table of fixed-height rows that renders only the rows in view, so a list of a million
// contacts costs as much as a screenful. Rows are loaded page by page: when the visible range
// comes near the end of what is loaded, `onNearEnd` asks for the next page.
//
// Row height and offsets are set through the CSS object model (React's `style` prop), which a
// strict Content-Security-Policy allows; no style attribute is written into markup.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { needsMore, visibleRange } from '../lib/virtual';

export interface GridColumn<T> {
  key: string;
  header: string;
  /** Sets the column's width (see .col-* in app.css). */
  className?: string;
  render: (row: T) => ReactNode;
  /** When set, the header is a button that sorts by this API field. */
  sortField?: string;
}

export interface GridSort {
  field: string;
  descending: boolean;
}

interface Props<T> {
  label: string;
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  columns: readonly GridColumn<T>[];
  rowHeight: number;
  /** Total rows when known (for assistive technology); -1 when not. */
  totalRows?: number;
  sort?: GridSort;
  onSort?: (field: string) => void;
  onNearEnd?: () => void;
  /** Content of the leading header cell (e.g. a select-all checkbox). */
  leadHeader?: ReactNode;
  lead?: (row: T) => ReactNode;
  selected?: (row: T) => boolean;
  footer?: ReactNode;
  className?: string;
}

export function VirtualGrid<T>({
  label,
  rows,
  rowKey,
  columns,
  rowHeight,
  totalRows,
  sort,
  onSort,
  onNearEnd,
  leadHeader,
  lead,
  selected,
  footer,
  className,
}: Props<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setViewport(el.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const range = visibleRange(scrollTop, viewport, rowHeight, rows.length);

  useEffect(() => {
    if (onNearEnd && rows.length > 0 && needsMore(range, rows.length)) onNearEnd();
  }, [range.end, rows.length, onNearEnd]); // eslint-disable-line react-hooks/exhaustive-deps

  // Back to the top when the list is replaced (new search, sort or filter).
  const first = rows.length > 0 ? rowKey(rows[0] as T) : null;
  useEffect(() => {
    if (scrollRef.current && rows.length <= 200) {
      scrollRef.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [first]); // eslint-disable-line react-hooks/exhaustive-deps

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const target = e.target as HTMLElement;
      const row = target.closest<HTMLElement>('[role="row"][data-index]');
      if (!row) return;
      const index = Number(row.dataset.index) + (e.key === 'ArrowDown' ? 1 : -1);
      if (index < 0 || index >= rows.length) return;
      e.preventDefault();
      const el = scrollRef.current;
      if (!el) return;
      const headerHeight = el.querySelector<HTMLElement>('.vgrid-head')?.offsetHeight ?? 0;
      const top = index * rowHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + rowHeight > el.scrollTop + el.clientHeight - headerHeight)
        el.scrollTop = top + rowHeight - el.clientHeight + headerHeight;
      // The row may only exist after the scroll renders it.
      requestAnimationFrame(() => {
        const next = el.querySelector<HTMLElement>(`[role="row"][data-index="${index}"]`);
        const focusable = next?.querySelector<HTMLElement>('a, button, input');
        (focusable ?? next)?.focus();
      });
    },
    [rows.length, rowHeight],
  );

  const visible = rows.slice(range.start, range.end);
  return (
    <div className={`vgrid-wrap ${className ?? ''}`}>
    <div
      ref={scrollRef}
      className="vgrid"
      role="grid"
      aria-label={label}
      aria-rowcount={totalRows !== undefined && totalRows >= 0 ? totalRows + 1 : -1}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div className="vgrid-head" role="rowgroup">
        <div className="vgrid-row vgrid-header-row" role="row" aria-rowindex={1}>
          {lead && (
            <div className="vgrid-cell col-lead" role="columnheader">
              {leadHeader}
            </div>
          )}
          {columns.map((c) => {
            const active = sort && c.sortField === sort.field;
            return (
              <div
                key={c.key}
                className={`vgrid-cell ${c.className ?? 'col-md'}`}
                role="columnheader"
                aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : undefined}
              >
                {c.sortField && onSort ? (
                  <button type="button" className="sort-btn" onClick={() => onSort(c.sortField!)}>
                    {c.header}
                    <span className="sort-mark" aria-hidden="true">
                      {active ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                ) : (
                  c.header
                )}
              </div>
            );
          })}
        </div>
      </div>
      <div className="vgrid-body" role="rowgroup" style={{ height: range.totalHeight }}>
        <div className="vgrid-window" style={{ transform: `translateY(${range.offsetTop}px)` }}>
          {visible.map((row, i) => {
            const index = range.start + i;
            const isSelected = selected?.(row) ?? false;
            return (
              <div
                key={rowKey(row)}
                className={`vgrid-row${isSelected ? ' is-selected' : ''}`}
                role="row"
                aria-rowindex={index + 2}
                aria-selected={selected ? isSelected : undefined}
                data-index={index}
                tabIndex={-1}
                style={{ height: rowHeight }}
              >
                {lead && (
                  <div className="vgrid-cell col-lead" role="gridcell">
                    {lead(row)}
                  </div>
                )}
                {columns.map((c) => (
                  <div key={c.key} className={`vgrid-cell ${c.className ?? 'col-md'}`} role="gridcell">
                    {c.render(row)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
      {footer && <div className="vgrid-footer">{footer}</div>}
    </div>
  );
}
