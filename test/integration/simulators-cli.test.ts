// `gameday simulate` as a function (src/cli/simulate.ts): a real process serving a partners
// file until SIGTERM; and the errors of a bad partners file.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrillError } from '../../src/schema/load.ts';
import { loadPartnersFile, PartnersFileError, simulateCommand } from '../../src/cli/simulate.ts';
import { readJournal } from '../../simulators/journal.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-simulate-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

const PARTNERS = `
partners:
  - name: acme
    routes:
      - method: GET
        path: /offers
        behaviours:
          - kind: sequence
            steps: [{ status: 429, retryAfter: 1 }, 200]
    behaviours: [{ status: 404, body: { error: nothing here } }]
  - name: globex
    behaviours: [{ status: 200, body: { who: globex } }]
`;

describe('simulateCommand in a real process', () => {
  it('serves every partner, prints the URLs and the control API, and closes cleanly on SIGTERM', async () => {
    const file = write('partners.yaml', PARTNERS);
    const journalFile = path.join(tmp, 'journal.ndjson');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', "import { simulateCommand } from './src/cli/simulate.ts'; process.exitCode = await simulateCommand(process.argv[1], { journal: process.argv[2] });", file, journalFile],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('Ctrl-C') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('gameday simulate: 2 partner(s) on 127.0.0.1');
      const acme = /acme\s+(http:\/\/127\.0\.0\.1:\d+\/acme)/.exec(out)![1];
      const globex = /globex\s+(http:\/\/127\.0\.0\.1:\d+\/globex)/.exec(out)![1];
      const control = /control API: (\S+)/.exec(out)![1];
      expect(out).toMatch(/acme\s+\S+\s+\(routes: GET \/offers, \*\)/);

      const first = await fetch(`${acme}/offers`);
      expect([first.status, first.headers.get('retry-after')]).toEqual([429, '1']);
      expect((await fetch(`${acme}/offers`)).status).toBe(200);
      expect(await (await fetch(`${globex}/anything`)).json()).toEqual({ who: 'globex' });
      const listed = (await (await fetch(control)).json()) as { partners: Array<{ name: string; url: string }> };
      expect(listed.partners.map((p) => [p.name, p.url])).toEqual([
        ['acme', acme],
        ['globex', globex],
      ]);
      const put = await fetch(`${control}/acme/routes/${encodeURIComponent('*')}`, { method: 'PUT', body: '{"status":503}' });
      expect(put.status).toBe(200);
      expect((await fetch(`${acme}/other`)).status).toBe(503);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
    expect(out).toMatch(/SIGTERM: simulators closed after 4 exchange\(s\)/);
    const entries = readJournal(journalFile);
    expect(entries.map((e) => [e.partner, e.path, e.status])).toEqual([
      ['acme', '/offers', 429],
      ['acme', '/offers', 200],
      ['globex', '/anything', 200],
      ['acme', '/other', 503],
    ]);
  });

  it('a port in use: exit code 1 and what to do', async () => {
    const file = write('p.json', JSON.stringify({ partners: [{ name: 'acme', behaviours: [{}] }] }));
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const errors: string[] = [];
    const stderrWrite = process.stderr.write;
    process.stderr.write = ((chunk: string) => errors.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await simulateCommand(file, { port, out: () => {} })).toBe(1);
    } finally {
      process.stderr.write = stderrWrite;
      blocker.close();
    }
    expect(errors.join('')).toContain(`port ${port} on 127.0.0.1 is in use: choose another with --port`);
  });

  it('stops on its abort signal as on SIGINT', async () => {
    const file = write('p2.json', JSON.stringify({ partners: [{ name: 'acme', behaviours: [{}] }] }));
    const lines: string[] = [];
    const controller = new AbortController();
    const running = simulateCommand(file, { out: (l) => lines.push(l), signal: controller.signal });
    while (!lines.some((l) => l.startsWith('control API'))) await new Promise((r) => setTimeout(r, 10));
    const url = /acme\s+(\S+)/.exec(lines[1])![1];
    expect((await fetch(`${url}/x`)).status).toBe(200);
    controller.abort();
    expect(await running).toBe(0);
    expect(lines.at(-1)).toBe('stopped: simulators closed after 1 exchange(s)');
    await expect(fetch(`${url}/x`)).rejects.toThrow();
  });
});

describe('partners file errors name the file, the path and the fix', () => {
  it('invalid content', () => {
    const file = write(
      'bad.yaml',
      `partners:
  - name: acme
    routes:
      - path: /offers
        behaviours: [{ kind: sequence, steps: [] }, { at: 1s, kind: hang, status: 500 }]
`,
    );
    let err: unknown;
    try {
      loadPartnersFile(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PartnersFileError);
    expect(err).toBeInstanceOf(DrillError); // the CLI's exit code 3
    const e = err as PartnersFileError;
    expect(e.message.split('\n')[0]).toBe(`${file}: the partners file is not valid`);
    expect(e.problems).toEqual(['partners[0].routes[0].behaviours[0].steps: a sequence needs at least one step', 'partners[0].routes[0].behaviours[1].status: a hang never answers: remove status']);
  });

  it('YAML syntax, file type and a missing file', () => {
    expect(() => loadPartnersFile(write('broken.yaml', 'partners: [\n'))).toThrow(/broken\.yaml: the partners file is not valid\n {2}- line \d+: /);
    expect(() => loadPartnersFile(write('p.toml', ''))).toThrow(/unknown file type ".toml": use .yaml, .yml or .json/);
    expect(() => loadPartnersFile(path.join(tmp, 'missing.yaml'))).toThrow(/cannot read the file: ENOENT/);
    expect(() => loadPartnersFile(write('empty.json', '{"partners": []}'))).toThrow(/partners: list at least one partner/);
  });
});
