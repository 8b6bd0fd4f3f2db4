// `gameday init`: the command line split like a shell's words (no shell), paths relocated for the
// drill's folder, the name inferred from the project, and the written drill valid as written —
// for --process and for every catalogue --template.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { catalogueDrills, initCommand, leadingComment, projectName, relocateArgs, slugOf, splitCommand, starterDrill } from '../../src/cli/init.ts';
import { SetupError } from '../../src/platform/setup-error.mjs';
import { loadDrill } from '../../src/schema/load.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-init-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function project(name: string, files: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('splitCommand', () => {
  it('splits words, keeps quoted spaces and escapes', () => {
    expect(splitCommand('node server.mjs')).toEqual(['node', 'server.mjs']);
    expect(splitCommand(`  python3 -m "http server" 'a b' c\\ d ""`)).toEqual(['python3', '-m', 'http server', 'a b', 'c d', '']);
  });

  it('refuses shell syntax, an open quote and nothing, saying what to do', () => {
    expect(() => splitCommand('node a.mjs | tee log')).toThrow(/"\|" is shell syntax .* put the command line in a script/);
    expect(() => splitCommand('PORT=$PORT node a.mjs')).toThrow(SetupError);
    expect(() => splitCommand('node "a.mjs')).toThrow(/a " quote is not closed/);
    expect(() => splitCommand('   ')).toThrow(/--process is empty/);
  });
});

describe('relocateArgs', () => {
  it('rewrites existing relative paths for the drill folder and leaves the rest', () => {
    const exists = (p: string) => ['/p/server.mjs', '/p/bin/start'].includes(p);
    expect(relocateArgs(['node', 'server.mjs', '--port', 'x.mjs'], '/p', '/p/drills', exists)).toEqual(['node', '../server.mjs', '--port', 'x.mjs']);
    expect(relocateArgs(['bin/start', '/abs/file'], '/p', '/p', exists)).toEqual(['./bin/start', '/abs/file']);
  });
});

describe('the project name', () => {
  it('is the package.json name as a slug, else the folder name', () => {
    expect(slugOf('@acme/Payments_API')).toBe('payments-api');
    expect(slugOf('***')).toBe('service');
    expect(projectName(project('with-pkg', { 'package.json': JSON.stringify({ name: '@team/Checkout' }) }))).toBe('checkout');
    expect(projectName(project('Bare Folder'))).toBe('bare-folder');
  });
});

describe('gameday init --process', () => {
  it('writes a commented drill that validates as written: baseline, one latency fault, recovery and error-rate SLOs', async () => {
    const dir = project('shop', { 'package.json': JSON.stringify({ name: 'shop' }), 'server.mjs': '// a service\n' });
    let said = '';
    expect(await initCommand({ process: 'node server.mjs', health: '/health' }, dir, (t) => (said += t))).toBe(0);
    const file = path.join(dir, 'drills', 'shop.yaml');
    expect(said).toContain('wrote drills/shop.yaml (a valid drill)');
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n').filter((l) => l.trim().startsWith('#')).length).toBeGreaterThan(8);
    const { drill } = await loadDrill(file);
    expect(drill.target).toMatchObject({ kind: 'process', service: { name: 'shop', command: ['node', '../server.mjs'], healthPath: '/health' } });
    expect(drill.load.profiles).toEqual([expect.objectContaining({ profile: 'baseline' })]);
    expect(drill.faults.map((f) => f.action)).toEqual(['latency']);
    expect(drill.slos.map((s) => s.kind).sort()).toEqual(['error-rate', 'error-rate', 'latency', 'recovery-time']);
  });

  it('refuses to overwrite, a program that does not exist, and neither or both forms', async () => {
    const dir = project('again', { 'server.mjs': '' });
    await initCommand({ process: 'node server.mjs', health: '/healthz' }, dir, () => {});
    await expect(initCommand({ process: 'node server.mjs', health: '/healthz' }, dir, () => {})).rejects.toThrow(/drills\/again\.yaml exists: give --out another file, or --force/);
    expect(await initCommand({ process: 'node server.mjs', health: '/healthz', force: true }, dir, () => {})).toBe(0);
    await expect(initCommand({ process: './missing-program', health: '/healthz', out: 'x.yaml' }, dir, () => {})).rejects.toThrow(/missing-program/);
    await expect(initCommand({ health: '/healthz' }, dir, () => {})).rejects.toThrow(/give one of --url URL .* --process .* --template NAME/);
    await expect(initCommand({ process: 'node server.mjs', template: 'disk-full', health: '/healthz' }, dir, () => {})).rejects.toThrow(/give one of --url/);
    await expect(initCommand({ url: 'http://127.0.0.1:8080', process: 'node server.mjs', health: '/healthz' }, dir, () => {})).rejects.toThrow(/give one of --url/);
  });

  it('the starter text is the same for the same inputs (pure)', () => {
    const o = { name: 'a', app: 'a', target: { kind: 'process' as const, command: ['node', './s.mjs'], health: '/healthz' } };
    expect(starterDrill(o)).toBe(starterDrill(o));
    expect(YAML.parse(starterDrill(o)).target.service.command).toEqual(['node', './s.mjs']);
  });
});

describe('gameday init --url', () => {
  it('writes an external target for a service that already runs, valid as written', async () => {
    const dir = project('running', { 'package.json': JSON.stringify({ name: '@acme/Running Shop' }) });
    expect(await initCommand({ url: 'http://127.0.0.1:8080/', health: '/status/200' }, dir, () => {})).toBe(0);
    const { drill } = await loadDrill(path.join(dir, 'drills', 'running-shop.yaml'));
    expect(drill.target).toMatchObject({ kind: 'external', name: 'running-shop', endpoints: [{ name: 'api', baseUrl: 'http://127.0.0.1:8080', health: { path: '/status/200' } }] });
    expect(drill.faults).toEqual([expect.objectContaining({ action: 'latency', target: 'running-shop' })]);
    await expect(initCommand({ url: 'localhost:8080', health: '/healthz', out: 'y.yaml' }, dir, () => {})).rejects.toThrow(/--url localhost:8080: give the service's base URL/);
  });
});

describe('gameday init --template', () => {
  const names = [...catalogueDrills().keys()];

  it('knows the catalogue by drill name', () => {
    expect(names).toContain('partner-429-storm');
    expect(names).toHaveLength(11);
  });

  it.each(names)('%s: written as YAML with its story, valid where it is written', async (name) => {
    const dir = project(`tpl-${name}`);
    expect(await initCommand({ template: name, health: '/healthz' }, dir, () => {})).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'drills', `${name}.yaml`), 'utf8');
    expect(text).toMatch(/^# From gameday's incident catalogue/);
    expect((await loadDrill(path.join(dir, 'drills', `${name}.yaml`))).drill.name).toBe(name);
  });

  it('an unknown name suggests the nearest', async () => {
    await expect(initCommand({ template: 'partner-429-strom', health: '/healthz' }, project('tpl-bad'), () => {})).rejects.toThrow(/no such catalogue drill \(did you mean partner-429-storm\?\)/);
  });

  it('keeps the leading comment block only', () => {
    expect(leadingComment('// one\n//two\nimport x;\n// not this\n')).toEqual(['# one', '#two']);
  });
});
