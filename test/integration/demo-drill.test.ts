// The demo drill end to end with real k6, real Toxiproxy, the real partner hub and simulator.
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DRILL, nearestRank, readJson, readSamples, runCli, sha256, tmpDir, type Sample } from '../helpers.ts';

const TIME_SCALE = 0.25; // 60 s drill → 15 s of load

describe('demo drill (real k6 + Toxiproxy + partner hub)', () => {
  let out: string;
  let result: Awaited<ReturnType<typeof runCli>>;
  let samples: Sample[];

  beforeAll(async () => {
    out = path.join(tmpDir('gameday-demo'), 'run');
    result = await runCli(['run', DEMO_DRILL, '--time-scale', String(TIME_SCALE), '--out', out, '--no-progress']);
    samples = readSamples(path.join(out, 'k6_samples.ndjson.gz'));
  }, 120_000);

  it('decides GO and exits 0, printing the decision and the run directory', () => {
    expect(result.stderr).not.toMatch(/problem:/);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('partner-hub-baseline: GO (exit 0)');
    expect(result.stdout).toContain(`evidence: `);
    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision).toMatchObject({ decision: 'GO', exitCode: 0, invalid: false });
    // every SLO kind of the drill judged, each with evidence behind it
    expect(decision.verdicts.map((v: { kind: string }) => v.kind).sort()).toEqual(
      ['error-budget-burn', 'error-rate', 'error-rate', 'journal', 'journal', 'journal', 'journal', 'latency', 'latency', 'latency', 'recovery-time'].sort(),
    );
    for (const v of decision.verdicts) expect(v.pass && v.reason === 'met', `${v.slo}: ${v.detail}`).toBe(true);
  });

  it('tags requests of every phase, in proportion to the timeline', () => {
    const reqs = samples.filter((s) => s.metric === 'http_reqs');
    const byPhase = (p: string) => reqs.filter((s) => s.tags.phase === p).length;
    const total = reqs.length;
    // 40 req/s for 15 s = 600; the three phases last 5 s each
    expect(total).toBeGreaterThan(500);
    for (const phase of ['steady', 'fault', 'recovery']) {
      expect(byPhase(phase) / total).toBeGreaterThan(0.25);
      expect(byPhase(phase) / total).toBeLessThan(0.42);
    }
    expect(new Set(reqs.map((s) => s.tags.request))).toEqual(new Set(['offers', 'webhook']));
  });

  it('sees the injected latency in the fault phase and not outside it', () => {
    const durations = (phase: string) => samples.filter((s) => s.metric === 'http_req_duration' && s.tags.phase === phase).map((s) => s.value);
    expect(nearestRank(durations('fault'), 95)).toBeGreaterThanOrEqual(300);
    expect(nearestRank(durations('fault'), 50)).toBeGreaterThanOrEqual(300);
    expect(nearestRank(durations('steady'), 95)).toBeLessThan(300);
    expect(nearestRank(durations('recovery'), 95)).toBeLessThan(300);
    // gameday's own verdict agrees with the raw samples (HDR histogram, 3 significant digits)
    const verdict = readJson(path.join(out, 'slo_results.json')).verdicts.find((v: { slo: string }) => v.slo === 'offers-p95-fault');
    const raw = nearestRank(samples.filter((s) => s.metric === 'http_req_duration' && s.tags.phase === 'fault' && s.tags.request === 'offers').map((s) => s.value), 95);
    expect(Math.abs(verdict.observed - raw) / raw).toBeLessThan(0.002);
  });

  it('journals the fault: injected and reverted on schedule, both verified', () => {
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults).toHaveLength(1);
    const f = chaos.faults[0];
    expect(f).toMatchObject({ name: 'hub-latency', action: 'latency', outcome: 'reverted', injectVerified: true, revertVerified: true });
    expect(f.target.proxies).toHaveLength(2);
    const t0 = Date.parse(chaos.t0);
    expect(Date.parse(f.injectedAt) - t0).toBeGreaterThanOrEqual(f.scheduled.startMs);
    expect(Date.parse(f.injectedAt) - t0).toBeLessThan(f.scheduled.startMs + 1000);
    expect(Date.parse(f.revertedAt) - t0).toBeGreaterThanOrEqual(f.scheduled.endMs);
    expect(Date.parse(f.revertedAt) - t0).toBeLessThan(f.scheduled.endMs + 1000);
  });

  it('the partner answered 429 with Retry-After only during the fault window', () => {
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    const t0 = Date.parse(chaos.t0);
    const lines = fs.readFileSync(path.join(out, 'simulator_journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const limited = lines.filter((l) => l.source === 'partner' && l.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((l) => l.retryAfter === 1)).toBe(true);
    for (const l of limited) {
      const t = Date.parse(l.time) - t0;
      expect(t).toBeGreaterThanOrEqual(5000 - 50);
      expect(t).toBeLessThan(10000 + 50);
    }
    expect(lines.some((l) => l.status === 200)).toBe(true);
  });

  it('the webhook sender delivered valid, forged and replayed webhooks; the figures come from its journal', () => {
    const lines = fs.readFileSync(path.join(out, 'simulator_journal.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const sent = lines.filter((l) => l.source === 'webhook-sender');
    const variants = new Set(sent.map((l) => l.variant));
    // variants are drawn by weight (valid 6 of 10): every run has valid and forged ones, not always every kind
    expect(variants).toContain('valid');
    expect([...variants].filter((v) => ['wrong-secret', 'tampered-body', 'stale-timestamp'].includes(v)).length).toBeGreaterThan(0);
    // the healthy hub refuses every forged delivery and accepts every valid one
    for (const l of sent.filter((l) => ['wrong-secret', 'tampered-body', 'stale-timestamp'].includes(l.variant))) expect(l.status, l.variant).toBe(401);
    // every valid delivery ends accepted (a retried attempt on a busy machine is the sender's job)
    const finalOf = new Map<string, { status: number | null; mono: number }>();
    for (const l of sent.filter((l) => l.variant === 'valid')) if (!finalOf.has(l.callId) || l.mono > finalOf.get(l.callId)!.mono) finalOf.set(l.callId, l);
    expect(finalOf.size).toBeGreaterThan(0);
    for (const [call, l] of finalOf) expect(l.status, call).toBe(200);
    const results = readJson(path.join(out, 'slo_results.json'));
    expect(results.figures['journal/acme/forged-accepted']).toBe(0);
    expect(results.figures['journal/acme/valid-rejected']).toBe(0);
    expect(results.figures['journal/acme/idempotency-violations']).toBe(0);
    expect(results.journal.sideEffects.read).toBeGreaterThan(0);
    // the drill's objective: a request already on its way when the 429 was answered may arrive late on a loaded machine
    expect(results.figures['journal/acme/retry-after-honoured']).toBeGreaterThanOrEqual(0.99);
  });

  it('gameday ingest of the same samples gives the same request verdicts, and no evidence for what samples cannot show', async () => {
    const ingested = path.join(tmpDir('gameday-ingest'), 'out');
    const r = await runCli(['ingest', DEMO_DRILL, path.join(out, 'k6_samples.ndjson.gz'), '--out', ingested]);
    expect(r.code, r.stderr).toBe(1);
    const ran = readJson(path.join(out, 'slo_results.json')).verdicts;
    const again = readJson(path.join(ingested, 'slo_results.json')).verdicts;
    for (const v of ran.filter((v: { kind: string }) => ['latency', 'error-rate', 'error-budget-burn'].includes(v.kind))) {
      expect(again.find((w: { slo: string }) => w.slo === v.slo), v.slo).toMatchObject({ observed: v.observed, samples: v.samples, pass: v.pass });
    }
    for (const w of again.filter((w: { kind: string }) => w.kind === 'journal')) expect(w).toMatchObject({ pass: false, reason: 'no-evidence' });
  });

  it('writes an HTML report with the verdicts and the fault window', () => {
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('partner-hub-baseline');
    expect(html).toContain('hub-latency');
    expect(html).toContain('recovery-after-latency');
    expect(html).toMatch(/<svg/);
  });

  it('writes every evidence file, each listed in the manifest with its SHA-256', () => {
    const manifest = readJson(path.join(out, 'run_manifest.json'));
    const listed = manifest.artifacts.map((a: { path: string }) => a.path);
    for (const name of ['k6_summary.json', 'k6_samples.ndjson.gz', 'chaos_report.json', 'simulator_journal.ndjson', 'slo_results.json', 'decisions.json', 'k6_script.js', 'k6_stderr.log', 'report.html']) {
      expect(listed).toContain(name);
    }
    for (const a of manifest.artifacts) {
      expect(sha256(path.join(out, a.path))).toBe(a.sha256);
      expect(fs.statSync(path.join(out, a.path)).size).toBe(a.bytes);
    }
    expect(manifest).toMatchObject({ timeScale: TIME_SCALE, compressed: true, decision: { decision: 'GO', exitCode: 0 } });
    expect(manifest.tools.k6.version).toMatch(/^v1\.\d+\.\d+$/);
    const summary = readJson(path.join(out, 'k6_summary.json'));
    expect(summary.metrics.http_reqs.values.count).toBe(samples.filter((s) => s.metric === 'http_reqs').length);
  });

  it('seals the run: JUnit, compliance, a signed bundle that gameday verify accepts — and rejects after one changed byte', async () => {
    expect(result.stdout).toMatch(/bundle: .*evidence_bundle_APP2\.zip/);
    const junit = fs.readFileSync(path.join(out, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(readJson(path.join(out, 'decisions.json')).verdicts.length);
    expect(readJson(path.join(out, 'compliance.json'))).toBeTypeOf('object');
    const bundle = path.join(out, 'evidence_bundle_APP2.zip');
    const ok = await runCli(['verify', bundle]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('VERIFIED');
    // tamper with a copy of the run directory: one byte of the SLO results
    const copy = path.join(tmpDir('gameday-tamper'), 'run');
    fs.cpSync(out, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'evidence_bundle_APP2.zip'));
    const file = path.join(copy, 'slo_results.json');
    const bytes = fs.readFileSync(file);
    bytes[10] ^= 1;
    fs.writeFileSync(file, bytes);
    const bad = await runCli(['verify', copy]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/MODIFIED +slo_results\.json/);
  });

  it('keeps the webhook secret out of every artifact', () => {
    const secret = 'RgKhJmRHYfWaP3doSioYNqsmMbNytnzu';
    const manifest = readJson(path.join(out, 'run_manifest.json'));
    for (const a of manifest.artifacts) {
      const bytes = fs.readFileSync(path.join(out, a.path));
      const text = a.path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
      expect(text.includes(secret), a.path).toBe(false);
    }
  });
});
