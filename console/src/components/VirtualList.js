// A virtually scrolled list of fixed-height rows: only the visible window (+ overscan) is in the
// DOM; the spacer is as tall as the loaded rows (+ one page while more exist); onNearEnd asks
// for the next page when the window comes within a page of the loaded end. Arrow keys, PageUp/
// PageDown, Home/End move the focus between rows; Enter follows the focused row's link.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';

export const ROW_HEIGHT = 40;
const OVERSCAN = 12;

export function VirtualList({ rows, done, loading, pageSize, onNearEnd, renderRow, label, emptyText }) {
  const ref = useRef(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const [focusIndex, setFocusIndex] = useState(-1);
  const focusPending = useRef(false);
  const focusIndexRef = useRef(-1);

  useLayoutEffect(() => {
    const el = ref.current;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight || 600 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (!done && !loading && last + pageSize / 2 >= rows.length) onNearEnd();
  }, [first, last, rows.length, done, loading]);

  useLayoutEffect(() => {
    if (!focusPending.current) return;
    const a = ref.current.querySelector(`[data-index="${focusIndex}"] a`);
    if (a) {
      a.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  const moveFocus = (i) => {
    const el = ref.current;
    const idx = Math.max(0, Math.min(rows.length - 1, i));
    if (idx < 0) return;
    const rowTop = idx * ROW_HEIGHT;
    if (rowTop < el.scrollTop) el.scrollTop = rowTop;
    else if (rowTop + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = rowTop + ROW_HEIGHT - el.clientHeight;
    focusPending.current = true;
    focusIndexRef.current = idx;
    setFocusIndex(idx);
    setView({ top: el.scrollTop, height: el.clientHeight || 600 });
  };

  const onKeyDown = (e) => {
    const row = e.target.closest && e.target.closest('[data-index]');
    const cur = focusPending.current ? focusIndexRef.current : row ? Number(row.dataset.index) : -1;
    const pageRows = Math.max(1, Math.floor(ref.current.clientHeight / ROW_HEIGHT) - 1);
    const keys = { ArrowDown: cur + 1, ArrowUp: cur - 1, PageDown: cur + pageRows, PageUp: cur - pageRows, Home: 0, End: rows.length - 1 };
    if (!(e.key in keys) || rows.length === 0) return;
    if (cur < 0 && e.key !== 'ArrowDown' && e.key !== 'Home' && e.key !== 'End') return;
    e.preventDefault();
    moveFocus(cur < 0 && e.key === 'ArrowDown' ? 0 : keys[e.key]);
  };

  const spacer = (Math.max(rows.length, done ? 1 : 0) + (done ? 1 : pageSize)) * ROW_HEIGHT;
  const items = [];
  for (let i = first; i < last; i++) {
    const top = i * ROW_HEIGHT;
    items.push(renderRow(rows[i], i, top, i === focusIndex));
  }

  return html`<div ref=${ref} class="vlist" data-testid="object-list" role="list" aria-label=${label}
      tabindex="0" onScroll=${(e) => setView({ top: e.currentTarget.scrollTop, height: e.currentTarget.clientHeight })}
      onKeyDown=${onKeyDown}
      onFocus=${(e) => { if (e.target === ref.current && rows.length) moveFocus(Math.max(focusIndex, first ? first + OVERSCAN : 0)); }}>
    <div class="vlist-spacer" style=${{ height: `${spacer}px` }}>
      ${items}
      ${done && rows.length > 0 && html`<div class="list-end" data-testid="list-end" role="listitem"
        style=${{ top: `${rows.length * ROW_HEIGHT}px` }}>End of list</div>`}
      ${done && rows.length === 0 && html`<div class="list-empty" role="listitem">${emptyText}</div>
        <div class="list-end" data-testid="list-end" role="listitem" style=${{ top: `${ROW_HEIGHT}px` }}>End of list</div>`}
      ${!done && html`<div class="list-loading" style=${{ top: `${rows.length * ROW_HEIGHT}px` }}>${loading ? 'Loading more…' : ''}</div>`}
    </div>
  </div>`;
}
