// Runs real k6 on a bundled script. Its NDJSON samples arrive through a named pipe as k6
// writes them: each line goes to the aggregator and, gzipped, to the evidence, so nothing is
// held in memory. (A named pipe because node's stdio pipes are sockets, which k6 cannot open
// as a file.)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createGzip } from 'node:zlib';
import type { ManagedProcess, ProcessGroup } from '../platform/processes.ts';
import { controlArgs } from './control.ts';

/** k6's exit codes (go.k6.io/k6/errext/exitcodes) and what they mean for a drill. */
export const K6_EXIT_REASONS: Record<number, { code: string; message: string; invalid: boolean }> = {
  0: { code: 'ok', message: 'k6 finished', invalid: false },
  97: { code: 'cloud-test-run-failed', message: 'k6 cloud test run failed', invalid: true },
  98: { code: 'cloud-failed-to-get-progress', message: 'k6 cloud progress failed', invalid: true },
  99: { code: 'thresholds-failed', message: 'k6 thresholds (the drill SLOs) failed', invalid: false },
  100: { code: 'setup-timeout', message: 'k6 setup() timed out', invalid: true },
  101: { code: 'teardown-timeout', message: 'k6 teardown() timed out', invalid: true },
  102: { code: 'generic-timeout', message: 'k6 timed out', invalid: true },
  103: { code: 'stopped-from-rest-api', message: 'k6 was stopped through its REST API', invalid: true },
  104: { code: 'invalid-config', message: 'k6 rejected the configuration', invalid: true },
  105: { code: 'external-abort', message: 'k6 was stopped by a signal', invalid: true },
  // gameday starts k6 with its REST API on a free loopback port (src/k6/control.ts)
  106: { code: 'cannot-start-rest-api', message: 'k6 could not start its REST API (its port was taken)', invalid: true },
  107: { code: 'script-exception', message: 'the k6 script threw an exception', invalid: true },
  108: { code: 'script-aborted', message: 'the k6 script called test.abort()', invalid: true },
  109: { code: 'go-panic', message: 'k6 crashed (Go panic)', invalid: true },
  110: { code: 'marked-as-failed', message: 'the k6 script marked the test as failed', invalid: true },
};

export interface K6Outcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  code: string;
  message: string;
  /** the run's load evidence cannot be trusted */
  invalid: boolean;
}

export function k6Outcome(exitCode: number | null, signal: NodeJS.Signals | null): K6Outcome {
  if (exitCode === null && !signal) return { exitCode, signal, code: 'failed-to-start', message: 'k6 could not be started', invalid: true };
  if (signal) return { exitCode, signal, code: 'killed', message: `k6 was killed by ${signal}`, invalid: true };
  const known = exitCode === null ? undefined : K6_EXIT_REASONS[exitCode];
  if (known) return { exitCode, signal, ...known };
  return { exitCode, signal, code: 'unknown-exit', message: `k6 exited with code ${exitCode}`, invalid: true };
}

export interface K6RunOptions {
  bin: string;
  script: string;
  /** extra `k6 run` arguments (execution segments) */
  args?: string[];
  /** start paused with the REST API on this loopback port (src/k6/control.ts); the harness resumes it */
  controlPort?: number;
  env: Record<string, string>;
  samplesFile: string;
  stderrFile: string;
  /** a private folder for the named pipe */
  scratchDir: string;
  /** every chunk of k6's NDJSON as it arrives (lines may span chunks) */
  onChunk: (chunk: Buffer) => void;
  /** the stream is over (a cut-off last line is the consumer's to flush) */
  onEnd: () => void;
}

export interface K6Run {
  process: ManagedProcess;
  /** resolves once k6 has exited and every sample has been read and written */
  done: Promise<K6Outcome>;
}

export function startK6(group: ProcessGroup, o: K6RunOptions): K6Run {
  const fifo = path.join(o.scratchDir, `k6-samples-${process.hrtime.bigint()}.ndjson`);
  execFileSync('mkfifo', ['-m', '600', fifo]);
  // opening a FIFO for reading blocks (in libuv's thread pool) until k6 opens it for writing
  const samples = fs.createReadStream(fifo);
  let opened = false;
  samples.once('open', () => (opened = true));

  const stderr = fs.openSync(o.stderrFile, 'w');
  const proc = group.spawn('k6', o.bin, ['run', '--quiet', '--no-color', '--no-usage-report', '--out', `json=${fifo}`, ...(o.args ?? []), ...(o.controlPort ? controlArgs(o.controlPort) : []), o.script], {
    stdio: ['ignore', 'ignore', stderr],
    env: { ...o.env, K6_NO_USAGE_REPORT: 'true' },
  });
  fs.closeSync(stderr);

  const gzip = createGzip({ level: 6 });
  const file = fs.createWriteStream(o.samplesFile);
  gzip.pipe(file);
  const written = new Promise<void>((resolve) => file.once('close', () => resolve()));
  samples.on('data', (chunk: Buffer | string) => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    gzip.write(buf);
    o.onChunk(buf);
  });
  const drained = new Promise<void>((resolve) => {
    samples.once('close', () => resolve());
    samples.once('error', () => resolve());
  });

  const done = (async () => {
    const exit = await proc.exited;
    if (!opened) {
      // k6 died before opening the pipe: open and close its write end so our reader sees EOF
      try {
        fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        samples.destroy();
      }
    }
    await drained;
    // a last line without newline: k6 was cut off mid-write; the consumer counts it if corrupt
    o.onEnd();
    gzip.end();
    await written;
    fs.rmSync(fifo, { force: true });
    return k6Outcome(exit.code, exit.signal);
  })();
  return { process: proc, done };
}
