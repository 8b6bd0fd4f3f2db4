// Inline SVG time-series charts for the HTML report: lines over time from t0, fault windows
// shaded, partner behaviour bands under the plot. Pure string building, no scripts.

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Series {
  label: string;
  /** a CSS class that colours the line (see the report's style) */
  className: string;
  /** [ms after t0, value]; null values break the line */
  points: ReadonlyArray<readonly [number, number | null]>;
}

export interface Shade {
  label: string;
  startMs: number;
  endMs: number;
  className: string;
}

/** A moment marked across the plot (a guard tripping): a vertical line with its label. */
export interface Marker {
  atMs: number;
  label: string;
  className: string;
}

export interface Band {
  /** the band's row label (a partner's name) */
  label: string;
  segments: ReadonlyArray<{ startMs: number; endMs: number; label: string; className: string }>;
}

export interface ChartSpec {
  title: string;
  /** x axis: 0 .. endMs, ms after t0 */
  endMs: number;
  yLabel: string;
  /** formats a y value for the axis */
  formatY: (v: number) => string;
  /** the y axis reaches at least this */
  minYMax: number;
  series: readonly Series[];
  shades: readonly Shade[];
  bands?: readonly Band[];
  markers?: readonly Marker[];
}

const WIDTH = 960;
const PLOT_HEIGHT = 220;
const LEFT = 70;
const RIGHT = 20;
const TOP = 28;
const AXIS = 26;
/** a band row: its label line (partner and route), then the band */
const BAND_HEIGHT = 30;
const BAND_LABEL = 11;

/** A round step for about `count` ticks over [0, max]. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
}

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

export function secondsLabel(ms: number): string {
  const s = ms / 1000;
  return s >= 120 ? `${Math.round((s / 60) * 10) / 10}m` : `${Math.round(s * 10) / 10}s`;
}

/** One chart as an <svg> element. */
export function renderChart(spec: ChartSpec): string {
  const plotWidth = WIDTH - LEFT - RIGHT;
  const bands = spec.bands ?? [];
  const height = TOP + PLOT_HEIGHT + AXIS + bands.length * BAND_HEIGHT + 8;
  const endMs = Math.max(spec.endMs, 1000);
  let yMax = spec.minYMax;
  for (const s of spec.series) for (const [, v] of s.points) if (v !== null && v > yMax) yMax = v;
  const step = niceStep(yMax);
  yMax = Math.ceil(yMax / step) * step || step;
  const x = (ms: number) => LEFT + (Math.min(Math.max(ms, 0), endMs) / endMs) * plotWidth;
  const y = (v: number) => TOP + PLOT_HEIGHT - (Math.min(v, yMax) / yMax) * PLOT_HEIGHT;
  const parts: string[] = [];
  parts.push(`<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`);
  parts.push(`<title>${escapeHtml(spec.title)}</title>`);
  // shaded windows first, under everything
  for (const sh of spec.shades) {
    const x0 = x(sh.startMs);
    const x1 = Math.max(x(sh.endMs), x0 + 1);
    parts.push(`<rect class="${escapeHtml(sh.className)}" x="${fmt(x0)}" y="${TOP}" width="${fmt(x1 - x0)}" height="${PLOT_HEIGHT}"><title>${escapeHtml(sh.label)}</title></rect>`);
    parts.push(`<text class="shade-label" x="${fmt(x0 + 3)}" y="${TOP - 6}">${escapeHtml(sh.label)}</text>`);
  }
  // grid and y axis
  for (let v = 0; v <= yMax + step / 2; v += step) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${fmt(y(v))}" y2="${fmt(y(v))}"/>`);
    parts.push(`<text class="tick" x="${LEFT - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${escapeHtml(spec.formatY(v))}</text>`);
  }
  parts.push(`<text class="axis-label" x="12" y="${TOP + PLOT_HEIGHT / 2}" transform="rotate(-90 12 ${TOP + PLOT_HEIGHT / 2})" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  // x axis
  const xStep = niceStep(endMs / 1000, 10) * 1000;
  for (let t = 0; t <= endMs + 1; t += xStep) {
    parts.push(`<line class="tick-mark" x1="${fmt(x(t))}" x2="${fmt(x(t))}" y1="${TOP + PLOT_HEIGHT}" y2="${TOP + PLOT_HEIGHT + 4}"/>`);
    parts.push(`<text class="tick" x="${fmt(x(t))}" y="${TOP + PLOT_HEIGHT + 16}" text-anchor="middle">${secondsLabel(t)}</text>`);
  }
  parts.push(`<line class="axis" x1="${LEFT}" x2="${LEFT + plotWidth}" y1="${TOP + PLOT_HEIGHT}" y2="${TOP + PLOT_HEIGHT}"/>`);
  // the lines: one polyline per run of consecutive values
  for (const s of spec.series) {
    let run: string[] = [];
    const flush = () => {
      if (run.length === 1) parts.push(`<circle class="dot ${escapeHtml(s.className)}" r="2" cx="${run[0].split(',')[0]}" cy="${run[0].split(',')[1]}"><title>${escapeHtml(s.label)}</title></circle>`);
      else if (run.length > 1) parts.push(`<polyline class="line ${escapeHtml(s.className)}" points="${run.join(' ')}"><title>${escapeHtml(s.label)}</title></polyline>`);
      run = [];
    };
    let lastMs = -Infinity;
    for (const [ms, v] of s.points) {
      if (v === null || ms - lastMs > 1500) flush();
      if (v !== null) run.push(`${fmt(x(ms))},${fmt(y(v))}`);
      lastMs = ms;
    }
    flush();
  }
  // marked moments, over the lines
  for (const m of spec.markers ?? []) {
    const mx = fmt(x(m.atMs));
    parts.push(`<line class="marker ${escapeHtml(m.className)}" x1="${mx}" x2="${mx}" y1="${TOP}" y2="${TOP + PLOT_HEIGHT}"><title>${escapeHtml(m.label)}</title></line>`);
    parts.push(`<text class="marker-label" x="${fmt(x(m.atMs) - 3)}" y="${TOP + 12}" text-anchor="end">${escapeHtml(m.label)}</text>`);
  }
  // partner behaviour bands under the axis, each under its label (partner and route)
  bands.forEach((band, i) => {
    const top = TOP + PLOT_HEIGHT + AXIS + i * BAND_HEIGHT;
    const barTop = top + BAND_LABEL + 2;
    parts.push(`<text class="band-label" x="${LEFT}" y="${top + BAND_LABEL - 1}">${escapeHtml(band.label)}</text>`);
    for (const seg of band.segments) {
      const x0 = x(seg.startMs);
      const x1 = Math.max(x(seg.endMs), x0 + 1);
      parts.push(`<rect class="band ${escapeHtml(seg.className)}" x="${fmt(x0)}" y="${barTop}" width="${fmt(x1 - x0)}" height="${BAND_HEIGHT - BAND_LABEL - 6}"><title>${escapeHtml(`${band.label}: ${seg.label}`)}</title></rect>`);
      if (x1 - x0 > 40) parts.push(`<text class="band-text" x="${fmt(x0 + 4)}" y="${barTop + 10}">${escapeHtml(seg.label)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}
