// The run report: one self-contained HTML file (inline CSS and SVG, no scripts, nothing fetched
// from the network) an SRE or an auditor opens from the evidence. Pure: data in, string out.
import type { DecidedVerdict } from '../judge/decide.ts';
import type { ReportData, ReportFault } from './data.ts';
import { escapeHtml as e, renderChart, secondsLabel, type Band, type Marker, type Shade } from './svg.ts';
import { RUN_FILES } from '../schema/run-dir.ts';

export const REPORT_FILE = RUN_FILES.report;

const STYLE = `
:root { --go: #1b7f3b; --nogo: #b3261e; --cond: #a86200; --ink: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --bg: #ffffff; --panel: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.decision { border-radius: 10px; padding: 18px 22px; color: #fff; margin: 12px 0 8px; }
.decision .verdict { font-size: 44px; font-weight: 800; letter-spacing: 1px; line-height: 1.1; }
.decision .exit { font-size: 15px; opacity: .9; }
.decision ul { margin: 10px 0 0; padding-left: 20px; }
.decision.GO { background: var(--go); } .decision.NO-GO { background: var(--nogo); } .decision.CONDITIONAL { background: var(--cond); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.result { font-weight: 700; white-space: nowrap; }
.result.pass { color: var(--go); } .result.fail { color: var(--nogo); } .result.waived { color: var(--cond); }
.note { background: var(--panel); border-left: 4px solid var(--cond); padding: 8px 12px; margin: 10px 0; }
.chart { display: block; max-width: 100%; height: auto; margin: 8px 0 4px; }
.chart .grid { stroke: #eceef1; } .chart .axis, .chart .tick-mark { stroke: #9aa0a6; }
.chart text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.chart .shade-label { fill: #7a3e00; font-weight: 600; }
.chart .fault-window { fill: rgba(179, 38, 30, .13); stroke: rgba(179, 38, 30, .45); stroke-dasharray: 4 3; }
.chart .fault-window.not-injected { fill: rgba(120, 120, 120, .06); stroke: rgba(120, 120, 120, .5); }
.chart .partner-outage { fill: rgba(168, 98, 0, .12); stroke: rgba(168, 98, 0, .5); stroke-dasharray: 2 2; }
.chart .phase-recovery { fill: rgba(27, 127, 59, .06); }
.chart polyline.line { fill: none; stroke-width: 1.8; stroke-linejoin: round; } .chart circle.dot { stroke: none; }
.chart .line.p50 { stroke: #5b8def; } .chart .line.p95 { stroke: #e8710a; } .chart .line.p99 { stroke: #b3261e; } .chart .line.errors { stroke: #b3261e; }
.chart .dot.p50 { fill: #5b8def; } .chart .dot.p95 { fill: #e8710a; } .chart .dot.p99 { fill: #b3261e; } .chart .dot.errors { fill: #b3261e; }
.chart .band { stroke: #fff; } .chart .band.ok { fill: #cde9d6; } .chart .band.throttled { fill: #ffd8a8; } .chart .band.error { fill: #f4b6b1; } .chart .band.other { fill: #dfe3e8; }
.chart .band-text { fill: #333; font-size: 10px; } .chart .band-label { fill: var(--ink); }
.chart .marker.guard-trip { stroke: #6a1b9a; stroke-width: 2; } .chart .marker-label { fill: #6a1b9a; font-weight: 600; }
.legend { display: flex; gap: 18px; color: var(--muted); font-size: 12px; margin: 0 0 4px 70px; flex-wrap: wrap; }
.legend i { display: inline-block; width: 18px; height: 3px; vertical-align: middle; margin-right: 6px; }
.legend .fault { height: 10px; background: rgba(179, 38, 30, .18); border: 1px dashed rgba(179, 38, 30, .6); }
.legend .outage { height: 10px; background: rgba(168, 98, 0, .16); border: 1px dotted rgba(168, 98, 0, .6); }
.muted { color: var(--muted); }
ul.plain { margin: 4px 0; padding-left: 20px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
`;

function resultCell(v: DecidedVerdict): string {
  if (v.pass) return `<span class="result pass">PASS</span>`;
  if (v.waivedBy) return `<span class="result waived">WAIVED</span>`;
  return `<span class="result fail">FAIL</span>`;
}

function observed(v: DecidedVerdict): string {
  if (v.observed === null) return '—';
  switch (v.unit) {
    case 'ms':
      return v.observed >= 1000 ? `${(v.observed / 1000).toFixed(2)} s` : `${v.observed.toFixed(1)} ms`;
    case 'ratio':
      return `${(v.observed * 100).toFixed(3)}%`;
    case 'budget':
      return `${(v.observed * 100).toFixed(1)}% of budget`;
    case 'rps':
      return `${v.observed.toFixed(1)} req/s`;
    default:
      return String(v.observed);
  }
}

function verdictTable(verdicts: readonly DecidedVerdict[]): string {
  if (verdicts.length === 0) return '<p class="muted">No SLO was judged.</p>';
  const rows = verdicts.map((v) => {
    const scope = [v.phase !== 'all' ? `phase ${v.phase}` : '', v.request ? `request ${v.request}` : ''].filter(Boolean).join(', ') || 'whole run';
    const waiver = v.waivedBy ? `<br><span class="muted">waived by ${e(v.waivedBy.owner)} until ${e(v.waivedBy.expires)}: ${e(v.waivedBy.reason)}</span>` : '';
    const alerts = v.alerts?.length
      ? `<br><span class="muted">burn-rate alerts: ${v.alerts.map((a) => `${e(a.name)} ${a.fired ? `<b>fired</b> at +${secondsLabel(a.firstFiredAtMs ?? 0)}` : 'quiet'} (${a.factor}×, ${secondsLabel(a.longWindowMs)}/${secondsLabel(a.shortWindowMs)})`).join('; ')}</span>`
      : '';
    return `<tr class="verdict ${v.pass ? 'pass' : 'fail'}"><td>${resultCell(v)}</td><td><b>${e(v.slo)}</b><br><span class="muted">${e(v.kind)}</span></td><td>${e(scope)}</td><td>${e(v.objective)}</td><td class="num">${e(observed(v))}</td><td>${v.blocking ? 'blocking' : 'advisory'}</td><td><code>${e(v.reason)}</code></td><td>${e(v.detail)}${waiver}${alerts}</td></tr>`;
  });
  return `<table class="verdicts"><thead><tr><th>result</th><th>SLO</th><th>scope</th><th>objective</th><th>observed</th><th>severity</th><th>reason</th><th>detail</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The fault's window as it happened (falls back to the schedule when it was not injected). */
function faultWindow(f: ReportFault, durationMs: number): { startMs: number; endMs: number; actual: boolean } {
  if (f.injectedAtMs !== null) return { startMs: f.injectedAtMs, endMs: f.revertedAtMs ?? durationMs, actual: true };
  return { startMs: f.scheduledStartMs, endMs: f.scheduledEndMs, actual: false };
}

function shadesOf(data: ReportData): Shade[] {
  const faults = data.faults.map((f) => {
    const w = faultWindow(f, data.durationMs);
    return { label: `${f.name} (${f.action})${w.actual ? '' : ' — not injected'}`, startMs: w.startMs, endMs: w.endMs, className: w.actual ? 'fault-window' : 'fault-window not-injected' };
  });
  const outages = data.partnerOutages.map((o) => ({ label: `${o.name} (partner outage)`, startMs: o.startMs, endMs: o.endMs, className: 'partner-outage' }));
  return [...faults, ...outages];
}

const timelineLabel = (p: { name: string; route: string | null }) => (p.route === null ? p.name : `${p.name} ${p.route}`);

function bandsOf(data: ReportData, endMs: number): Band[] {
  return data.partners
    .filter((p) => p.switches.length > 0)
    .map((p) => {
      const sorted = [...p.switches].sort((a, b) => a.atMs - b.atMs);
      return {
        label: timelineLabel(p),
        segments: sorted.map((s, i) => ({ startMs: s.atMs, endMs: i + 1 < sorted.length ? sorted[i + 1].atMs : endMs, label: s.label, className: s.tone })),
      };
    });
}

function charts(data: ReportData): string {
  const endMs = Math.max(data.durationMs, ...data.timeline.map((p) => p.tMs + 1000), 1000);
  const shades = shadesOf(data);
  const bands = bandsOf(data, endMs);
  const markers: Marker[] = data.guardTrip ? [{ atMs: data.guardTrip.atMs, label: `guard ${data.guardTrip.guard} tripped`, className: 'guard-trip' }] : [];
  if (data.timeline.length === 0) return '<p class="muted">No samples were aggregated: nothing to chart.</p>';
  const latency = renderChart({
    title: 'http_req_duration per 1-s window: p50, p95, p99',
    endMs,
    yLabel: 'latency (ms)',
    formatY: (v) => `${Math.round(v * 10) / 10}`,
    minYMax: 1,
    series: [
      { label: 'p50', className: 'p50', points: data.timeline.map((p) => [p.tMs, p.p50] as const) },
      { label: 'p95', className: 'p95', points: data.timeline.map((p) => [p.tMs, p.p95] as const) },
      { label: 'p99', className: 'p99', points: data.timeline.map((p) => [p.tMs, p.p99] as const) },
    ],
    shades,
    bands,
    markers,
  });
  const errors = renderChart({
    title: 'error rate per 1-s window (http_req_failed)',
    endMs,
    yLabel: 'error rate (%)',
    formatY: (v) => `${Math.round(v * 10) / 10}%`,
    minYMax: 1,
    series: [{ label: 'error rate', className: 'errors', points: data.timeline.map((p) => [p.tMs, p.errorRate === null ? null : p.errorRate * 100] as const) }],
    shades,
    bands,
    markers,
  });
  const load = data.load
    ? `<h3>Load delivered</h3><p>${data.load.planned - data.load.dropped} of ${data.load.planned} planned arrivals started (${data.load.dropped} dropped by k6${data.load.deliveredShare === null ? '' : `, ${(data.load.deliveredShare * 100).toFixed(1)}%`}).</p><div class="legend"><span><i style="background:#5b8def"></i>planned</span><span><i style="background:#e8710a"></i>delivered</span></div>${renderChart({
        title: 'arrivals per second: planned by the profiles, started by k6',
        endMs,
        yLabel: 'iterations/s',
        formatY: (v) => `${Math.round(v * 10) / 10}`,
        minYMax: 1,
        series: [
          { label: 'planned', className: 'p50', points: data.load.perSecond.map((p) => [p.second * 1000, p.planned] as const) },
          { label: 'delivered', className: 'p95', points: data.load.perSecond.map((p) => [p.second * 1000, p.delivered] as const) },
        ],
        shades,
        markers,
      })}`
    : '';
  const legendLat = `<div class="legend"><span><i style="background:#5b8def"></i>p50</span><span><i style="background:#e8710a"></i>p95</span><span><i style="background:#b3261e"></i>p99</span><span><i class="fault"></i>fault window (as injected → reverted)</span>${data.partnerOutages.length ? '<span><i class="outage"></i>partner outage (the partner not healthy)</span>' : ''}<span>bands: partner behaviour per route</span>${markers.length ? '<span><i style="background:#6a1b9a"></i>guard tripped: the run was aborted</span>' : ''}</div>`;
  return `<h3>Latency</h3>${legendLat}${latency}<h3>Error rate</h3>${errors}${load}`;
}

function ms(v: number | null): string {
  return v === null ? '—' : `+${secondsLabel(v)}`;
}

/** Failed requests by whose error, per phase: the load balancer's own or the service's. */
function attributionSection(data: ReportData): string {
  const a = data.attribution;
  if (!a) return '';
  if (a.failed === 0) return '<h2>Whose errors</h2><p>No request failed at the load balancer.</p>';
  const phases = Object.keys(a.byPhase);
  const rows = Object.entries(a.byCause)
    .sort((x, y) => y[1] - x[1])
    .map(([cause, n]) => `<tr><td>${e(cause)}</td><td>${n}</td>${phases.map((p) => `<td>${a.byPhase[p][cause] ?? 0}</td>`).join('')}</tr>`)
    .join('');
  return `<h2>Whose errors</h2><p>${a.failed} requests failed through the load balancer, attributed from its access and error logs.</p><table><thead><tr><th>cause</th><th>all</th>${phases.map((p) => `<th>${e(p)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>`;
}

function faultJournal(data: ReportData): string {
  if (data.faults.length === 0) return '<p class="muted">The drill injected no fault.</p>';
  const rows = data.faults.map((f) => {
    const params = Object.entries(f.params)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ');
    return `<tr><td><b>${e(f.name)}</b></td><td>${e(f.action)}${params ? `<br><span class="muted">${e(params)}</span>` : ''}</td><td>${e(f.driver)} → ${e(f.target)}</td><td class="num">${ms(f.scheduledStartMs)} → ${ms(f.scheduledEndMs)}</td><td class="num">${ms(f.injectedAtMs)}</td><td class="num">${ms(f.revertedAtMs)}</td><td>${e(f.outcome)}${f.error ? `<br><span class="muted">${e(f.error)}</span>` : ''}</td></tr>`;
  });
  return `<table class="faults"><thead><tr><th>fault</th><th>action</th><th>driver → target</th><th>scheduled</th><th>injected</th><th>reverted</th><th>outcome</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The steady-state hypothesis: what each probe asked before the first fault and after the last recovery, and whether it held. */
function probeTable(data: ReportData): string {
  if (data.probes.length === 0) return '';
  const rows = data.probes.map((p) => `<tr><td><b>${e(p.probe)}</b></td><td>${e(p.when)}</td><td>${e(p.kind)}<br><span class="muted">${e(p.asked)}</span></td><td>${p.steady ? 'held' : p.answered ? '<b>did not hold</b>' : '<b>no answer</b>'}</td><td>${e(p.detail)}</td><td class="num">${Math.round(p.ms)} ms</td></tr>`);
  return `<h2>Steady state</h2><table class="probes"><thead><tr><th>probe</th><th>when</th><th>asked</th><th>steady</th><th>observed</th><th>took</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function partnerTable(data: ReportData): string {
  const rows = data.partners.flatMap((p) => p.switches.map((s) => `<tr><td>${e(p.name)}</td><td>${e(p.route ?? 'every other path')}</td><td class="num">${ms(s.atMs)}</td><td>${e(s.label)}</td></tr>`));
  if (rows.length === 0) return '<p class="muted">No partner simulator in this drill.</p>';
  return `<table class="partners"><thead><tr><th>partner</th><th>route</th><th>from</th><th>behaviour</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Fault windows a partner made: not injected, not fault kinds of the registry, judged like faults. */
function partnerOutageTable(data: ReportData): string {
  if (data.partnerOutages.length === 0) return '';
  const rows = data.partnerOutages.map((o) => `<tr><td><b>${e(o.name)}</b></td><td>${e(o.reasons.join('; '))}</td><td class="num">${ms(o.startMs)} → ${o.lastsToEnd ? 'the end of the load' : ms(o.endMs)}</td></tr>`);
  return `<h3>Partner outages</h3><p class="muted">Fault windows of the timeline that no driver injected: the partner simulator was not healthy (429, 5xx, a hang, a socket fault, a broken body, or slow). Phases, recovery-time and the charts treat them as faults; they are not fault kinds of the registry.</p><table class="partner-outages"><thead><tr><th>outage</th><th>why</th><th>window</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function timeScaleNote(data: ReportData): string {
  if (data.timeScale === 1) return '<p>Time scale: 1 (real time).</p>';
  const factor = 1 / data.timeScale;
  const pretty = Number.isInteger(factor) ? String(factor) : factor.toFixed(2);
  if (data.timeScale < 1) {
    return `<div class="note"><b>Compressed ×${e(pretty)}</b> (time scale ${data.timeScale}): every point and length of the timeline — load, faults, partner switches — ran ${e(pretty)} times faster than written (${secondsLabel(data.durationMs / data.timeScale)} of drill in ${secondsLabel(data.durationMs)}). Times in this report are on the compressed timeline; magnitudes (injected latency, Retry-After) were not scaled.</div>`;
  }
  return `<div class="note"><b>Stretched ×${e(data.timeScale.toString())}</b>: the timeline ran slower than written. Times in this report are on the stretched timeline.</div>`;
}

function list(items: readonly string[], empty: string): string {
  return items.length ? `<ul class="plain">${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>` : `<p class="muted">${e(empty)}</p>`;
}

export function renderReport(data: ReportData): string {
  const d = data.decision;
  const tools = Object.entries(data.tools)
    .map(([k, v]) => `<tr><td>${e(k)}</td><td><code>${e(v ?? 'unknown')}</code></td></tr>`)
    .join('');
  const phases = data.phases.map((p) => `<tr><td>${e(p.phase)}</td><td class="num">${ms(p.startMs)} → ${ms(p.endMs)}</td></tr>`).join('');
  const s = data.samples;
  const sampleNote = s.corrupt > 0 || s.truncated ? `<div class="note">${s.corrupt} corrupt line(s) in k6's output${s.truncated ? '; the stream ended mid-line (k6 was cut off)' : ''}.</div>` : '';
  const waivers = d.waivers?.length
    ? `<h2>Waivers</h2><table><thead><tr><th>SLO</th><th>owner</th><th>until</th><th>reason</th><th>status</th></tr></thead><tbody>${d.waivers.map((w) => `<tr><td>${e(w.slo)}</td><td>${e(w.owner)}</td><td>${e(w.expires)}</td><td>${e(w.reason)}</td><td>${e(w.status)}</td></tr>`).join('')}</tbody></table>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(data.drill.name)} — ${e(d.decision)} — gameday report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${e(data.drill.name)} <span class="muted">· ${e(data.drill.app)}</span></h1>
<p class="meta">run <code>${e(data.runId)}</code> · ${e(data.startedAt)} → ${e(data.endedAt)}${data.drill.description ? ` · ${e(data.drill.description)}` : ''}</p>
</header>
<section class="decision ${e(d.decision)}" id="decision">
<div class="verdict">${e(d.decision)}</div>
<div class="exit">exit code ${d.exitCode}${d.invalid ? ' · the run is invalid: its evidence cannot be trusted' : ''}</div>
<ul>${d.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>
</section>
${timeScaleNote(data)}
<h2>Verdicts</h2>
${verdictTable(d.verdicts)}
${waivers}
${probeTable(data)}
<h2>Over time</h2>
${charts(data)}
${attributionSection(data)}<h2>Fault journal</h2>
${faultJournal(data)}
${partnerOutageTable(data)}
<h2>Partner behaviour</h2>
${partnerTable(data)}
<h2>Phases</h2>
<table><thead><tr><th>phase</th><th>window</th></tr></thead><tbody>${phases}</tbody></table>
<h2>Run</h2>
${sampleNote}
<table><tbody><tr><td>samples</td><td>${s.points} points in ${s.lines} lines, ${s.requests} requests</td></tr>${tools}</tbody></table>
<h2>What this run did not cover</h2>
<h3>Fault kinds not exercised</h3>
${list(data.coverage.faultKindsNotExercised, 'Every known fault kind was exercised.')}
<h3>SLO kinds not evaluated</h3>
${list(data.coverage.sloKindsNotEvaluated, 'Every SLO kind was evaluated.')}
<p class="muted">Exercised: ${e(data.coverage.faultKindsExercised.join(', ') || 'no fault')}; evaluated: ${e(data.coverage.sloKindsEvaluated.join(', ') || 'no SLO')}.</p>
<footer class="muted"><p>Generated by gameday. Self-contained: no script, no request to any server.</p></footer>
</body>
</html>
`;
}
