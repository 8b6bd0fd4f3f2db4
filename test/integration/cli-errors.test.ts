// What a user sees when the input is wrong, through the real CLI: a message naming the cause and
// the fix, the documented exit code (3: the input, nothing run), no stack trace, and — for a run
// that had already started — its evidence.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { fixture, runCli } from '../helpers.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-cli-errors-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SPIKE = fixture('spike.yaml');
/** a line of a stack trace */
const STACK = /^ {4}at /m;

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

/** The spike fixture with its service command replaced, written into the temp folder. */
function drillWith(name: string, change: (d: Record<string, any>) => void): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const d = YAML.parse(fs.readFileSync(SPIKE, 'utf8')) as Record<string, any>;
  d.target.service.command = [process.execPath, path.resolve(path.dirname(SPIKE), d.target.service.command[1])];
  change(d);
  return write(name, YAML.stringify(d));
}

describe('input errors through the CLI: exit 3, cause and fix, no stack trace', () => {
  it('a YAML alias bomb', async () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const r = await runCli(['validate', write('bomb.yaml', `${lines.join('\n')}\n`)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/bomb\.yaml: the drill is not valid\n {2}- .*alias.*billion laughs/i);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('--out naming an existing file: the file is left as it was', async () => {
    const out = write('existing.txt', 'keep me\n');
    const r = await runCli(['run', SPIKE, '--out', out, '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the run folder ${out} is an existing file: give --out a folder`);
    expect(r.stderr).not.toMatch(STACK);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me\n');
  });

  it('K6_BIN pointing at nothing, with a long path shortened', async () => {
    const long = path.join(tmp, 'x'.repeat(200), 'k6');
    const out = path.join(tmp, 'k6-run');
    const r = await runCli(['run', SPIKE, '--out', out, '--no-progress'], { K6_BIN: long });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/K6_BIN=\S*…\S* does not exist: point it at a k6 binary, or unset it/);
    expect(r.stderr).not.toContain('x'.repeat(100));
    expect(r.stderr).not.toMatch(STACK);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('GAMEDAY_STATE_DIR naming a file', async () => {
    const stateFile = write('state-is-a-file', '');
    const out = path.join(tmp, 'state-run');
    const r = await runCli(['run', SPIKE, '--out', out, '--no-progress'], { GAMEDAY_STATE_DIR: stateFile });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the state folder ${stateFile} cannot be used (ENOTDIR)`);
    expect(r.stderr).toContain('point GAMEDAY_STATE_DIR at a writable folder, or unset it');
    expect(r.stderr).not.toMatch(STACK);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a service command that does not exist: validate and run both refuse it before starting anything', async () => {
    const file = drillWith('no-command.yaml', (d) => (d.target.service.command = ['no-such-program-of-gameday', 'server.mjs']));
    const v = await runCli(['validate', file]);
    expect(v.code).toBe(3);
    expect(v.stderr).toContain('target.service.command[0]: "no-such-program-of-gameday" is not on PATH: install it, or write the program\'s path');
    const out = path.join(tmp, 'no-command-run');
    const r = await runCli(['run', file, '--out', out, '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('is not on PATH');
    expect(r.stderr).not.toMatch(STACK);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a missing env: secret is found by validate, as run finds it', async () => {
    const file = drillWith('secret.yaml', (d) => (d.partners[0].webhookSecret = 'env:GAMEDAY_TEST_SECRET_NOT_SET'));
    const v = await runCli(['validate', file], { GAMEDAY_TEST_SECRET_NOT_SET: '' });
    expect(v.code).toBe(3);
    expect(v.stderr).toContain('partners[0].webhookSecret: environment variable GAMEDAY_TEST_SECRET_NOT_SET is not set');
    expect((await runCli(['validate', file], { GAMEDAY_TEST_SECRET_NOT_SET: 'whsec_abc' })).code).toBe(0);
  });

  it('suite validates every drill before running the first: an invalid drill last → nothing runs, exit 3', async () => {
    const good = drillWith('suite/01-good.yaml', (d) => (d.name = 'suite-good'));
    const bad = drillWith('suite/02-bad.yaml', (d) => {
      d.name = 'suite-bad';
      d.target.service.env = { X: '{{nope}}' };
    });
    const out = path.join(tmp, 'suite-out');
    const r = await runCli(['suite', good, bad, '--out', out, '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('target.service.env.X: unknown placeholder {{nope}}');
    expect(r.stderr).not.toMatch(STACK);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a dead TOXIPROXY_URL: the run that started says so, exits 1 and keeps its evidence', async () => {
    const out = path.join(tmp, 'dead-toxiproxy');
    const r = await runCli(['run', SPIKE, '--out', out, '--no-progress', '--time-scale', '0.1'], { TOXIPROXY_URL: 'http://127.0.0.1:2' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no Toxiproxy answers at TOXIPROXY_URL=http://127.0.0.1:2 (ECONNREFUSED): start it there, or unset TOXIPROXY_URL');
    expect(r.stderr).not.toContain('fetch failed');
    expect(r.stderr).not.toMatch(STACK);
    expect(fs.existsSync(path.join(out, 'run_manifest.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'decisions.json'))).toBe(true);
  });
});

describe('TypeScript drills through the CLI', () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-ts-cli-'));
  afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const spike = YAML.parse(fs.readFileSync(SPIKE, 'utf8')) as Record<string, any>;
  spike.target.service.command = [process.execPath, path.resolve(path.dirname(SPIKE), spike.target.service.command[1])];

  it('load from a folder whose package.json has no "type"', async () => {
    fs.writeFileSync(path.join(outside, 'package.json'), JSON.stringify({ name: 'my-drills' }));
    const file = path.join(outside, 'drill.ts');
    fs.writeFileSync(file, `const rate: number = 5;\nconst drill = ${JSON.stringify(spike)};\nexport default { ...drill, name: 'ts-outside' + rate };\n`);
    const r = await runCli(['validate', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid drill "ts-outside5"');
  });

  it('refuse a drill module that calls process.exit(0) while loading: exit 3, not 0', async () => {
    const file = path.join(outside, 'exits.ts');
    fs.writeFileSync(file, `process.exit(0);\nexport default ${JSON.stringify(spike)};\n`);
    const out = path.join(outside, 'exits-run');
    const r = await runCli(['run', file, '--out', out, '--no-progress']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the module called process.exit(0) while loading');
    expect(fs.existsSync(out)).toBe(false);
  });
});
