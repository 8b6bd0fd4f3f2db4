import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { appendRun, chainFile, lineDigest, verifyChain } from '../../src/evidence/run-chain.ts';
import { ChainLine } from '../../src/schema/evidence.ts';
import { tmpDir } from './evidence-fixture.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const digest = (n: number) => n.toString(16).padStart(64, '0');

/** A chain of `n` runs (run-1 … run-n) and its lines. */
async function chain(n: number) {
  const root = tmp();
  const previous: Array<string | null> = [];
  for (let i = 1; i <= n; i++) previous.push(await appendRun(root, 'APP2', `run-${i}`, digest(i), new Date(Date.UTC(2026, 10, i))));
  const file = chainFile(root, 'APP2');
  const lines = () => fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const write = (ls: string[]) => fs.writeFileSync(file, `${ls.join('\n')}\n`);
  return { root, file, previous, lines, write };
}

const found = (file: string) => verifyChain(file).problems.map((p) => `${p.line} ${p.problem}`);

describe('run chain', () => {
  it('links every run to the line before it and returns that line\'s digest', async () => {
    const { file, previous, lines, root } = await chain(4);
    const ls = lines();
    expect(ls).toHaveLength(4);
    expect(previous[0]).toBeNull();
    for (let i = 1; i < 4; i++) expect(previous[i]).toBe(lineDigest(ls[i - 1]));
    const parsed = ls.map((l) => ChainLine.parse(JSON.parse(l)));
    expect(parsed.map((l) => l.seq)).toEqual([1, 2, 3, 4]);
    expect(parsed[2]).toEqual({ seq: 3, runId: 'run-3', manifestSha256: digest(3), previous: lineDigest(ls[1]), at: '2026-11-03T00:00:00.000Z' });
    expect(verifyChain(file)).toMatchObject({ ok: true, lines: 4, head: lineDigest(ls[3]), problems: [] });
    expect(path.relative(root, file)).toBe(path.join('APP2', 'runs.chain.ndjson'));
  });

  it('keeps every line when runs in several processes finish at the same time', async () => {
    const root = tmp();
    const script = path.join(root, 'append.mts');
    fs.writeFileSync(
      script,
      `import { appendRun } from ${JSON.stringify(path.join(ROOT, 'src/evidence/run-chain.ts'))};\n` +
        `for (let i = 0; i < 10; i++) await appendRun(process.argv[2], 'APP2', process.argv[3] + '-' + i, '${digest(7)}');\n`,
    );
    const run = (id: string) =>
      new Promise<number | null>((resolve) => execFile(process.execPath, ['--import', 'tsx', script, root, id], { cwd: ROOT }, (err) => resolve(err ? 1 : 0)));
    expect(await Promise.all(['a', 'b', 'c', 'd'].map(run))).toEqual([0, 0, 0, 0]);
    const v = verifyChain(chainFile(root, 'APP2'));
    expect(v.problems).toEqual([]);
    expect(v.lines).toBe(40);
  });

  it('detects a deleted line and says where', async () => {
    const { file, lines, write } = await chain(5);
    const ls = lines();
    write([ls[0], ls[1], ls[3], ls[4]]);
    expect(found(file)).toEqual(['3 deleted']);
    expect(verifyChain(file).problems[0].detail).toMatch(/1 line\(s\) deleted between line 2 \(run run-2\) and line 3 \(run run-4\)/);
    write(ls.slice(1));
    expect(found(file)).toEqual(['1 deleted']);
  });

  it('detects reordered lines', async () => {
    const { file, lines, write } = await chain(5);
    const ls = lines();
    write([ls[0], ls[2], ls[1], ls[3], ls[4]]);
    const v = verifyChain(file);
    expect(v.ok).toBe(false);
    expect(v.problems.every((p) => p.problem === 'reordered')).toBe(true);
    expect(v.problems.map((p) => p.line)).toEqual(expect.arrayContaining([2, 3]));
    expect(v.problems.find((p) => p.line === 2)!.detail).toMatch(/right after line 3 \(run run-2\)/);
  });

  it('detects an edited line and names it', async () => {
    const { file, lines, write } = await chain(5);
    const ls = lines();
    write([ls[0], ls[1], ls[2].replace(digest(3), digest(33)), ls[3], ls[4]]);
    expect(found(file)).toEqual(['3 edited']);
    write([ls[0], ls[1].replace('"seq":2', '"seq":7'), ls[2], ls[3], ls[4]]);
    expect(found(file)).toEqual(['2 edited']);
    write([ls[0], ls[1], '{"seq":3,"runId":"run-3"', ls[3], ls[4]]);
    expect(found(file)).toEqual(['3 unreadable']);
  });

  it('checks that run directories next to the chain still hold the manifest it recorded', async () => {
    const root = tmp();
    const runDir = path.join(root, 'APP2', 'run-1');
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, 'run_manifest.json'), '{"runId":"run-1"}\n');
    const { createHash } = await import('node:crypto');
    await appendRun(root, 'APP2', 'run-1', createHash('sha256').update('{"runId":"run-1"}\n').digest('hex'));
    await appendRun(root, 'APP2', 'run-2', digest(2)); // its directory was removed by retention: not a problem
    expect(verifyChain(chainFile(root, 'APP2')).ok).toBe(true);
    fs.writeFileSync(path.join(runDir, 'run_manifest.json'), '{"runId":"run-1","edited":true}\n');
    expect(found(chainFile(root, 'APP2'))).toEqual(['1 manifest-changed']);
  });
});
