// A small horizontal bar chart in SVG (no library): one group per row with two bars (logical and
// physical bytes). Labels are <text> nodes (text, never markup).
import { html } from '../html.js';
import { bytes } from '../format.js';

const ROW = 34;
const LABEL_W = 130;
const WIDTH = 560;

export function BarChart({ rows, title }) {
  const max = Math.max(1, ...rows.map((r) => Math.max(r.logical, r.physical)));
  const barW = WIDTH - LABEL_W - 90;
  const height = rows.length * ROW + 30;
  return html`<svg data-testid="usage-chart" class="chart" viewBox=${`0 0 ${WIDTH} ${height}`} role="img" aria-label=${title}>
    <title>${title}</title>
    <g class="legend" transform="translate(0,14)">
      <rect class="bar-logical" x="0" y="-9" width="10" height="10"></rect><text x="14" y="0">logical bytes</text>
      <rect class="bar-physical" x="120" y="-9" width="10" height="10"></rect><text x="134" y="0">physical bytes (stored)</text>
    </g>
    ${rows.map((r, i) => {
      const y = 30 + i * ROW;
      const lw = Math.max(1, (barW * r.logical) / max);
      const pw = Math.max(1, (barW * r.physical) / max);
      const label = r.label.length > 18 ? r.label.slice(0, 17) + '…' : r.label;
      return html`<g key=${r.label}>
        <text x="0" y=${y + 14} class="chart-label">${label}</text>
        <rect class="bar-logical" x=${LABEL_W} y=${y} width=${lw} height="12"></rect>
        <rect class="bar-physical" x=${LABEL_W} y=${y + 14} width=${pw} height="12"></rect>
        <text x=${LABEL_W + lw + 6} y=${y + 11} class="chart-value">${bytes(r.logical)}</text>
        <text x=${LABEL_W + pw + 6} y=${y + 25} class="chart-value">${bytes(r.physical)}</text>
      </g>`;
    })}
  </svg>`;
}
