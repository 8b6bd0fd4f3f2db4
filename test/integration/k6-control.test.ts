// Starting k6 at t = 0 chosen by the harness (src/k6/control.ts) against real k6: it waits paused
// with its VUs initialised, sends nothing before it is resumed, its script gets the harness's t0
// as setup data, and a k6 that dies while initialising (or cannot open its REST API) is reported
// as gone, not waited for.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlArgs, startAt, waitUntilPaused } from '../../src/k6/control.ts';
import { k6Outcome } from '../../src/k6/runner.ts';
import { requireTool } from '../../src/platform/toolchain.mjs';
import { freePort } from '../../src/platform/processes.ts';
import { tmpDir } from '../helpers.ts';

const k6 = requireTool('k6').path;

/** Real k6 on `script`, started paused with its REST API on a free port. */
async function startPaused(script: string) {
  const port = await freePort();
  const child = spawn(k6, ['run', '--quiet', '--no-usage-report', ...controlArgs(port), script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { port, child, exited, stderr: () => stderr };
}

describe('k6 started at the harness’s t = 0', () => {
  const arrivals: Array<{ at: number; t0: number }> = [];
  let server: http.Server;
  let url: string;
  const dir = tmpDir('gameday-k6-control');

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      arrivals.push({ at: Date.now(), t0: Number(new URL(req.url ?? '/', 'http://x').searchParams.get('t0')) });
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('waits paused with its VUs ready, sends nothing before t0, and its script sees the t0 it was given', async () => {
    const script = path.join(dir, 'paced.js');
    fs.writeFileSync(
      script,
      `import http from 'k6/http';
export const options = { scenarios: { a: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '1s', preAllocatedVUs: 5 } } };
export default function (data) { http.get('${url}?t0=' + data.t0); }
`,
    );
    const run = await startPaused(script);
    expect(await waitUntilPaused(run.port, run.exited, 30_000), run.stderr()).toBe(true);
    // paused: k6 holds its load however long the harness takes
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arrivals).toHaveLength(0);
    const t0 = await startAt([run.port]);
    expect(await run.exited, run.stderr()).toBe(0);
    expect(arrivals.length).toBeGreaterThanOrEqual(15);
    for (const a of arrivals) {
      expect(a.t0).toBe(t0);
      expect(a.at).toBeGreaterThanOrEqual(t0);
    }
  }, 60_000);

  it('reports a k6 that exits while initialising as gone instead of waiting for it', async () => {
    const script = path.join(dir, 'broken.js');
    fs.writeFileSync(script, `throw new Error('broken on purpose');\nexport default function () {}\n`);
    const run = await startPaused(script);
    expect(await waitUntilPaused(run.port, run.exited, 30_000)).toBe(false);
    expect(await run.exited).not.toBe(0);
  }, 60_000);

  it('a REST API port someone else took: k6 exits 106, reported gone and named as such', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const script = path.join(dir, 'idle.js');
      fs.writeFileSync(script, `export default function () {}\n`);
      const child = spawn(k6, ['run', '--quiet', '--no-usage-report', ...controlArgs(port), script], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      expect(await waitUntilPaused(port, exited, 30_000)).toBe(false);
      expect(k6Outcome(await exited, null)).toMatchObject({ code: 'cannot-start-rest-api', invalid: true });
    } finally {
      squatter.close();
    }
  }, 60_000);
});
