// Ingestion benchmark: synthetic k6 NDJSON in the shape k6 v1 writes (13 samples per request,
// every system tag, plus gameday's phase/request tags) streamed from a generator through the
// aggregator, chunk by chunk as it comes out of k6's pipe — never held in memory. Each count runs
// in its own process so that its peak RSS is its own.
//
//   npx tsx bench/ingest.bench.ts                 1M, 5M and 20M samples (+ JSON.parse for 1M)
//   npx tsx bench/ingest.bench.ts 2000000 ...     other counts
//
// Prints figures; not a test. Goals: ≥ 1M samples/s, peak RSS < 300 MB and flat as the count grows.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { MetricsAggregator } from '../src/metrics/aggregate.ts';

const SELF = fileURLToPath(import.meta.url);
/** the drill's timeline: every count is spread over the same 10 minutes, so windows do not grow with it */
const RUN_SECONDS = 600;
const CHUNK_BYTES = 1 << 20;
const T0 = Date.UTC(2026, 10, 23, 19, 0, 0);

const METRICS: Array<[string, string, string]> = [
  ['http_reqs', 'counter', 'default'],
  ['http_req_duration', 'trend', 'time'],
  ['http_req_blocked', 'trend', 'time'],
  ['http_req_connecting', 'trend', 'time'],
  ['http_req_tls_handshaking', 'trend', 'time'],
  ['http_req_sending', 'trend', 'time'],
  ['http_req_waiting', 'trend', 'time'],
  ['http_req_receiving', 'trend', 'time'],
  ['http_req_failed', 'rate', 'default'],
  ['data_sent', 'counter', 'data'],
  ['data_received', 'counter', 'data'],
  ['iterations', 'counter', 'default'],
  ['iteration_duration', 'trend', 'time'],
  ['vus', 'gauge', 'default'],
  ['vus_max', 'gauge', 'default'],
];
const PER_REQUEST = 13;

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function requestTags(phase: string, request: string, status: string): string {
  const method = request === 'offers' ? 'GET' : 'POST';
  const url = `http://127.0.0.1:41873/${request === 'offers' ? 'offers' : 'webhooks/acme'}`;
  return `{"expected_response":"${status === '200'}","group":"","method":"${method}","name":"${url}","phase":"${phase}","proto":"HTTP/1.1","request":"${request}","scenario":"baseline","status":"${status}","tls_version":"","url":"${url}"}`;
}

/** Chunks of k6 NDJSON holding `samples` samples (points), as Buffers of about 1 MB. */
function* k6Output(samples: number): Generator<Buffer> {
  const rnd = prng(42);
  const requests = Math.ceil(samples / PER_REQUEST);
  const perSecond = requests / RUN_SECONDS;
  const tagCache = new Map<string, string>();
  const tags = (phase: string, request: string, status: string) => {
    const key = `${phase}/${request}/${status}`;
    let t = tagCache.get(key);
    if (!t) tagCache.set(key, (t = requestTags(phase, request, status)));
    return t;
  };
  const iterTags = new Map<string, string>();
  let parts: string[] = METRICS.map(([name, type, contains]) => `{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${name}"}\n`);
  let size = 0;
  let emitted = 0;
  let second = -1;
  let secondPrefix = '';
  for (let i = 0; i < requests && emitted < samples; i++) {
    const ms = Math.floor(i / perSecond) * 1000 + Math.floor(rnd() * 1000);
    const s = Math.floor(ms / 1000);
    if (s !== second) {
      second = s;
      secondPrefix = new Date(T0 + s * 1000).toISOString().slice(0, 20);
      const vus = `{"metric":"vus","type":"Point","data":{"time":"${secondPrefix}000000000Z","value":${20 + (s % 7)},"tags":{}}}\n`;
      parts.push(vus);
      size += vus.length;
    }
    const time = `${secondPrefix}${String(ms % 1000).padStart(3, '0')}${String(Math.floor(rnd() * 1e6)).padStart(6, '0')}Z`;
    const phase = s < RUN_SECONDS / 3 ? 'steady' : s < (2 * RUN_SECONDS) / 3 ? 'fault' : 'recovery';
    const request = rnd() < 0.75 ? 'offers' : 'webhook';
    const failed = rnd() < (phase === 'fault' ? 0.05 : 0.002);
    const t = tags(phase, request, failed ? '503' : '200');
    const waiting = Math.round(Math.exp(Math.log(phase === 'fault' ? 60 : 12) + 0.6 * (rnd() + rnd() + rnd() - 1.5)) * 1e6) / 1e6;
    const duration = Math.round((waiting + 0.05) * 1e6) / 1e6;
    let it = iterTags.get(phase);
    if (!it) iterTags.set(phase, (it = `{"group":"","phase":"${phase}","scenario":"baseline"}`));
    const head = `{"metric":"`;
    const mid = `","type":"Point","data":{"time":"${time}","value":`;
    const lines =
      `${head}http_reqs${mid}1,"tags":${t}}}\n` +
      `${head}http_req_duration${mid}${duration},"tags":${t}}}\n` +
      `${head}http_req_blocked${mid}0.002,"tags":${t}}}\n` +
      `${head}http_req_connecting${mid}0,"tags":${t}}}\n` +
      `${head}http_req_tls_handshaking${mid}0,"tags":${t}}}\n` +
      `${head}http_req_sending${mid}0.021,"tags":${t}}}\n` +
      `${head}http_req_waiting${mid}${waiting},"tags":${t}}}\n` +
      `${head}http_req_receiving${mid}0.029,"tags":${t}}}\n` +
      `${head}http_req_failed${mid}${failed ? 1 : 0},"tags":${t}}}\n` +
      `${head}data_sent${mid}${request === 'offers' ? 96 : 412},"tags":${t}}}\n` +
      `${head}data_received${mid}${failed ? 180 : 1320},"tags":${t}}}\n` +
      `${head}iterations${mid}1,"tags":${it}}}\n` +
      `${head}iteration_duration${mid}${Math.round((duration + 0.4) * 1e6) / 1e6},"tags":${it}}}\n`;
    parts.push(lines);
    size += lines.length;
    emitted += PER_REQUEST;
    if (size >= CHUNK_BYTES) {
      yield Buffer.from(parts.join(''), 'latin1');
      parts = [];
      size = 0;
    }
  }
  if (parts.length) yield Buffer.from(parts.join(''), 'latin1');
}

type Mode = 'chunks' | 'json';

interface Figures {
  mode: Mode;
  rssBeforeMb: number;
  samples: number;
  lines: number;
  seconds: number;
  generateSeconds: number;
  ingestSeconds: number;
  peakRssMb: number;
  windows: number;
  liveWindows: number;
  corrupt: number;
  p95: number | null;
}

/**
 * One measurement, in this process. chunks: raw bytes into ingestChunk (the fast path);
 * json: decoded, split, one ingestLine (JSON.parse) per line.
 */
function measure(mode: Mode, samples: number): Figures {
  const rssBeforeMb = process.memoryUsage().rss / 1024 / 1024;
  const agg = new MetricsAggregator({ fastParse: mode !== 'json' });
  let generate = 0;
  let ingest = 0;
  const started = performance.now();
  let rest = '';
  const gen = k6Output(samples);
  for (;;) {
    const a = performance.now();
    const next = gen.next();
    const b = performance.now();
    generate += b - a;
    if (next.done) break;
    if (mode === 'chunks') agg.ingestChunk(next.value);
    else {
      // the slow way in: decode, split, one ingestLine per line
      const text = rest + next.value.toString('latin1');
      let start = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
        agg.ingestLine(text.slice(start, nl));
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    ingest += performance.now() - b;
  }
  if (mode === 'chunks') agg.endChunks();
  const total = (performance.now() - started) / 1000;
  return {
    mode,
    rssBeforeMb,
    samples: agg.stats.points,
    lines: agg.stats.lines,
    seconds: total,
    generateSeconds: generate / 1000,
    ingestSeconds: ingest / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    windows: [...agg.windows.bySecond.values()].reduce((n, m) => n + m.size, 0),
    liveWindows: agg.windows.liveCount,
    corrupt: agg.stats.corrupt,
    p95: agg.trendPercentile('http_req_duration', 95)?.value ?? null,
  };
}

/** A reference speed of this machine: the same tight loop everywhere, to read the figures against. */
function calibrate(): number {
  const t = performance.now();
  let x = 0;
  for (let i = 0; i < 2e8; i++) x = (x + i * 7) | 0;
  if (x === 42) console.log('');
  return performance.now() - t;
}

function main(): void {
  const [, , first, ...more] = process.argv;
  if (first === '--child') {
    const [mode, count] = more;
    process.stdout.write(JSON.stringify(measure(mode as Mode, Number(count))));
    return;
  }
  const counts = [first, ...more].filter(Boolean).map(Number);
  const list = counts.length ? counts : [1_000_000, 5_000_000, 20_000_000];
  if (list.some((n) => !(n > 0))) {
    console.error('usage: npx tsx bench/ingest.bench.ts [samples ...]   e.g. 1000000 5000000');
    process.exit(2);
  }
  const cal = calibrate();
  console.log(`gameday ingest benchmark — node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(`calibration (to compare machines): a 2e8-iteration integer loop takes ${cal.toFixed(0)} ms here`);
  console.log(`synthetic k6 output: ${PER_REQUEST} samples per request, 11 tags each, over a ${RUN_SECONDS}-s timeline, 2 requests, 1-MB chunks\n`);
  const runs: Array<[Mode, number]> = list.flatMap((n): Array<[Mode, number]> => (n === list[0] ? [['chunks', n], ['json', n]] : [['chunks', n]]));
  const header = ['mode', 'samples', 'ingest samples/s', 'end-to-end samples/s', 'ingest s', 'generator s', 'peak RSS MB', 'RSS before MB', 'windows (live)', 'p95 ms'];
  console.log(header.join(' | '));
  console.log(header.map(() => '---').join(' | '));
  for (const [mode, n] of runs) {
    const child = spawnSync(process.execPath, [...process.execArgv, SELF, '--child', mode, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) {
      console.error(`${mode} ${n}: failed\n${child.stderr}`);
      process.exitCode = 1;
      continue;
    }
    const f = JSON.parse(child.stdout) as Figures;
    const label = { chunks: 'ingestChunk (bytes)', json: 'ingestLine, JSON.parse' }[mode];
    console.log(
      [
        label,
        f.samples.toLocaleString('en-US'),
        Math.round(f.samples / f.ingestSeconds).toLocaleString('en-US'),
        Math.round(f.samples / f.seconds).toLocaleString('en-US'),
        f.ingestSeconds.toFixed(1),
        f.generateSeconds.toFixed(1),
        f.peakRssMb.toFixed(0),
        f.rssBeforeMb.toFixed(0),
        `${f.windows} (${f.liveWindows})`,
        f.p95?.toFixed(2) ?? '—',
      ].join(' | '),
    );
    if (f.corrupt) console.log(`  (${f.corrupt} corrupt lines: the generator is wrong)`);
  }
}

main();
