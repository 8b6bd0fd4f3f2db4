// The npm package as a new user gets it: `npm pack` (prepack builds dist/), the tarball installed
// into a fresh project outside the repository (no "type": "module", so a TS drill there is the case
// that used to fail), a YAML drill written by `npx gameday init --process` against a one-file node
// service and a TS drill importing `defineDrill` from 'gameday' (type-checked against the
// package's declarations), both run by `npx gameday run` on the built JavaScript — no tsx, no
// sources — and the bundle verified. GAMEDAY_TOOLS_DIR points at this repository's .tools so
// nothing rebuilds k6; npm installs from its cache where it can (--prefer-offline).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-package-'));
const project = path.join(work, 'shop');
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ok = (r: Ran, what: string) => expect(r.code, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);

const SERVICE = `// a one-file service: GET /healthz and GET /items on 127.0.0.1:$PORT
import http from 'node:http';
http
  .createServer((req, res) => {
    const known = req.url === '/healthz' || req.url === '/items';
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(known ? '{"ok":true}' : '{}');
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

const TS_DRILL = `import { defineDrill, type DrillInput } from 'gameday';

const slos: DrillInput['slos'] = [{ name: 'items-errors', kind: 'error-rate', below: '1%' }];

export default defineDrill({
  name: 'shop-items',
  app: 'SHOP',
  target: { kind: 'process', service: { name: 'shop', command: ['node', './server.mjs'] } },
  load: { requests: [{ name: 'items', path: '/items', expect: [200] }], profiles: [{ profile: 'baseline', rate: 10, duration: '4s' }] },
  slos,
});
`;

describe('the npm package, installed outside the repository', () => {
  it('packs, installs, inits a YAML drill, runs it and a TS drill with npx gameday, and verifies the bundle', { timeout: 420_000 }, async () => {
    const started = Date.now();
    const lap = (what: string) => process.stderr.write(`package.test: ${what} at +${((Date.now() - started) / 1000).toFixed(1)} s\n`);

    const packed = await sh('npm', ['pack', '--pack-destination', work, '--loglevel=error'], ROOT);
    ok(packed, 'npm pack');
    const tarball = path.join(work, packed.stdout.trim().split('\n').pop()!);
    lap('packed');

    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', private: true }));
    fs.writeFileSync(path.join(project, 'server.mjs'), SERVICE);
    fs.writeFileSync(path.join(project, 'items.ts'), TS_DRILL);
    ok(await sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], project), 'npm install <tarball>');
    lap('installed');

    // what the package ships: the compiled engine, no TypeScript sources of it
    const installed = path.join(project, 'node_modules', 'gameday');
    expect(fs.existsSync(path.join(installed, 'dist', 'src', 'cli', 'main.js'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'src'))).toBe(false);
    expect(fs.existsSync(path.join(installed, 'test'))).toBe(false);

    const env = { GAMEDAY_TOOLS_DIR: path.join(ROOT, '.tools') };
    const doctor = await sh('npx', ['gameday', 'doctor'], project, env);
    ok(doctor, 'gameday doctor');
    expect(doctor.stdout).toMatch(/^ok {6}k6 v1\.7\.1 .*\[GAMEDAY_TOOLS_DIR\]$/m);

    const init = await sh('npx', ['gameday', 'init', '--process', 'node server.mjs', '--health', '/healthz'], project, env);
    ok(init, 'gameday init');
    expect(init.stdout).toContain('wrote drills/shop.yaml (a valid drill)');

    // the TS drill type-checks against the package's declarations (the repository's tsc, the project's node_modules)
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    ok(await sh(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'items.ts'], project), 'tsc items.ts');
    lap('doctor, init, tsc');

    const yamlRun = await sh('npx', ['gameday', 'run', 'drills/shop.yaml', '--time-scale', '0.2', '--no-progress', '--out', 'runs/yaml'], project, env);
    ok(yamlRun, 'gameday run drills/shop.yaml');
    expect(yamlRun.stdout).toMatch(/^shop-starter: GO \(exit 0\)$/m);
    expect(yamlRun.stdout).toMatch(/PASS blocking recovery-after-latency: back within objective/);
    expect(yamlRun.stderr).toContain('fault added-latency: reverted');
    const tsRun = await sh('npx', ['gameday', 'run', 'items.ts', '--no-progress', '--out', 'runs/ts'], project, env);
    ok(tsRun, 'gameday run items.ts');
    expect(tsRun.stdout).toMatch(/^shop-items: GO \(exit 0\)$/m);
    lap('both drills ran');

    for (const [run, app] of [['runs/yaml', 'shop'], ['runs/ts', 'SHOP']]) {
      const verify = await sh('npx', ['gameday', 'verify', `${run}/evidence_bundle_${app}.zip`], project);
      ok(verify, `gameday verify ${run}`);
    }
    // the manifest names the k6 the run used: the one GAMEDAY_TOOLS_DIR pointed at
    const manifest = JSON.parse(fs.readFileSync(path.join(project, 'runs/ts/run_manifest.json'), 'utf8'));
    expect(JSON.stringify(manifest.tools)).toContain('v1.7.1');
    lap('verified');
  });
});
