// Strict input files: unknown keys at any level (with the nearest known key), duplicate names
// naming both paths, colliding faults, alias bombs, long values shortened, and TS drills that
// load from any folder — through the one config-file loader every kind of file goes through.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DrillError, loadDrill } from '../../src/schema/load.ts';
import { nearestKey, shorten } from '../../src/schema/config-file.ts';
import { loadPolicy, PolicyError } from '../../src/judge/policy.ts';
import { loadMutants, MutantsError } from '../../src/suite/mutants.ts';
import { loadPartnersFile, PartnersFileError } from '../../src/cli/simulate.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-input-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drill(over: Record<string, unknown> = {}): any {
  return {
    name: 'strict-drill',
    app: 'APP2',
    target: { kind: 'process', service: { name: 'hub', command: ['node', 'server.mjs'], replicas: 2, zones: ['a', 'b'] } },
    load: { profiles: [{ profile: 'baseline', rate: 10, duration: '60s' }], requests: [{ name: 'offers', path: '/offers' }] },
    partners: [{ name: 'acme', webhookSecret: 'whsec_abc', behaviours: [{ at: '0s', status: 200 }] }],
    faults: [{ name: 'slow', action: 'latency', target: 'hub', at: '10s', duration: '10s', latency: '100ms' }],
    slos: [{ name: 'errors', kind: 'error-rate', phase: 'steady', below: '1%' }],
    ...over,
  };
}

async function drillProblems(name: string, text: string): Promise<string[]> {
  const err = await loadDrill(write(name, text)).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DrillError);
  return (err as DrillError).problems;
}

describe('unknown keys', () => {
  it('names the nearest known key at the top level and deep inside, in a YAML drill', async () => {
    const raw = drill();
    raw.naem = 'x';
    raw.slos[0].phse = 'steady';
    raw.target.service.comand = ['x'];
    raw.partners[0].behaviours[0].stauts = 500;
    const problems = await drillProblems('unknown.yaml', YAML.stringify(raw));
    expect(problems).toContain('naem: unknown key — did you mean `name`?');
    expect(problems).toContain('slos[0].phse: unknown key — did you mean `phase`?');
    expect(problems).toContain('target.service.comand: unknown key — did you mean `command`?');
    expect(problems).toContain('partners[0].behaviours[0].stauts: unknown key — did you mean `status`?');
  });

  it('does the same in a JSON drill and a TypeScript drill', async () => {
    const raw = drill();
    raw.load.requests[0].pth = '/x';
    expect(await drillProblems('unknown.json', JSON.stringify(raw))).toContain('load.requests[0].pth: unknown key — did you mean `path`?');
    expect(await drillProblems('unknown-ts.ts', `const d: Record<string, unknown> = ${JSON.stringify(raw)};\nexport default d;\n`)).toContain(
      'load.requests[0].pth: unknown key — did you mean `path`?',
    );
  });

  it('lists the known keys when nothing is near', async () => {
    const raw = drill();
    raw.load.zzzzzzzzzzzz = 1;
    const [problem] = await drillProblems('far.yaml', YAML.stringify(raw));
    expect(problem).toMatch(/^load\.zzzzzzzzzzzz: unknown key — the keys here are .*requests/);
  });

  it('in a policy, a mutants file and a partners file', () => {
    const policy = write('policy.yaml', 'slos: {}\nwaivers: [{ slo: a, owner: me, reason: ticket 1, expires: "2099-01-01", ownr: x }]\nbaseline: { runs: 3, maxRegresion: 0.2 }\n');
    expect(() => loadPolicy(policy)).toThrow(PolicyError);
    expect(() => loadPolicy(policy)).toThrow(/waivers\[0\]\.ownr: unknown key — did you mean `owner`\?/);
    expect(() => loadPolicy(policy)).toThrow(/baseline\.maxRegresion: unknown key — did you mean `maxRegression`\?/);

    const mutants = write('mutants.yaml', 'mutants:\n  - name: m\n    overide: { env: { A: "1" } }\n    mustFail: [d]\n');
    expect(() => loadMutants(mutants)).toThrow(MutantsError);
    expect(() => loadMutants(mutants)).toThrow(/mutants\[0\]\.overide: unknown key — did you mean `override`\?/);

    const partners = write('partners.yaml', 'partners:\n  - name: acme\n    routes: [{ method: GET, path: /x, behaviours: [{ status: 200, bdy: {} }] }]\n');
    expect(() => loadPartnersFile(partners)).toThrow(PartnersFileError);
    expect(() => loadPartnersFile(partners)).toThrow(/partners\[0\]\.routes\[0\]\.behaviours\[0\]\.bdy: unknown key — did you mean `body`\?/);
  });

  it('nearestKey suggests only near keys', () => {
    expect(nearestKey('phse', ['phase', 'request', 'name'])).toBe('phase');
    expect(nearestKey('Name', ['name', 'app'])).toBe('name');
    expect(nearestKey('completely-different', ['name', 'app'])).toBeUndefined();
  });
});

describe('duplicate names name both paths', () => {
  it('requests and partners', async () => {
    const raw = drill();
    raw.load.requests.push({ name: 'offers', path: '/other' });
    raw.partners.push({ name: 'acme', webhookSecret: 'whsec_def', behaviours: [{ at: '0s', status: 200 }] });
    const problems = await drillProblems('dupes.yaml', YAML.stringify(raw));
    expect(problems).toContain('load.requests[1].name: request names must be unique: "offers" is also load.requests[0].name: rename one of them');
    expect(problems).toContain('partners[1].name: partner names must be unique: "acme" is also partners[0].name: rename one of them');
  });

  it('faults, SLOs and senders', async () => {
    const raw = drill();
    raw.faults.push({ ...raw.faults[0], at: '30s' });
    raw.slos.push({ ...raw.slos[0] });
    raw.senders = [
      { name: 's', partner: 'acme', path: '/webhooks/acme', at: '0s', duration: '5s', rate: 1 },
      { name: 's', partner: 'acme', path: '/webhooks/acme', at: '0s', duration: '5s', rate: 1 },
    ];
    const problems = await drillProblems('dupes2.yaml', YAML.stringify(raw));
    expect(problems).toContain('faults[1].name: fault names must be unique: "slow" is also faults[0].name: rename one of them');
    expect(problems).toContain('slos[1].name: SLO names must be unique: "errors" is also slos[0].name: rename one of them');
    expect(problems).toContain('senders[1].name: sender names must be unique: "s" is also senders[0].name: rename one of them');
  });
});

describe('colliding faults', () => {
  it('refuses a pod-kill of a replica while its zone is down', async () => {
    const raw = drill({
      faults: [
        { name: 'zone-b', driver: 'process', action: 'az-failure', zone: 'b', target: 'hub', at: '10s', duration: '20s' },
        { name: 'kill-1', driver: 'process', action: 'pod-kill', replica: 1, target: 'hub', at: '25s', duration: '10s' },
      ],
    });
    const problems = await drillProblems('collide.yaml', YAML.stringify(raw));
    expect(problems).toEqual(['faults[1].at: fault "kill-1" acts on replica 1 while faults[0] ("zone-b", 10000–30000 ms) does too: start it after 30000 ms or aim it elsewhere']);
  });

  it('refuses two network faults on the same proxy at once, accepts them one after the other and on other replicas', async () => {
    const overlapping = drill({
      faults: [
        { name: 'slow', action: 'latency', target: 'hub', at: '10s', duration: '10s', latency: '100ms' },
        { name: 'down', action: 'down', target: 'hub', at: '15s', duration: '10s' },
      ],
    });
    expect((await drillProblems('proxy.yaml', YAML.stringify(overlapping)))[0]).toMatch(/^faults\[1\]\.at: fault "down" acts on toxiproxy hub while faults\[0\]/);

    const fine = drill({
      faults: [
        { name: 'slow', action: 'latency', target: 'hub', at: '10s', duration: '10s', latency: '100ms' },
        { name: 'down', action: 'down', target: 'hub', at: '20s', duration: '10s' },
        { name: 'kill-0', driver: 'process', action: 'pod-kill', replica: 0, target: 'hub', at: '10s', duration: '10s' },
        { name: 'zone-b', driver: 'process', action: 'az-failure', zone: 'b', target: 'hub', at: '10s', duration: '10s' },
      ],
    });
    await expect(loadDrill(write('fine.yaml', YAML.stringify(fine)))).resolves.toBeTruthy();
  });
});

describe('hostile and long input', () => {
  it('refuses a YAML alias bomb without expanding it', async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const [problem] = await drillProblems('bomb.yaml', `${bomb.join('\n')}\n`);
    expect(problem).toMatch(/alias.*billion laughs/i);
  });

  it('shortens long values as head…tail', async () => {
    expect(shorten('x'.repeat(50))).toBe('x'.repeat(50));
    const long = `${'a'.repeat(100)}${'b'.repeat(100)}`;
    const short = shorten(long);
    expect(short).toHaveLength(79);
    expect(short).toMatch(/^a+…b+$/);
    const raw = drill();
    raw.slos[0][`k${'e'.repeat(200)}y`] = 1;
    raw.load.profiles[0].duration = `${'9'.repeat(300)} sec`;
    const problems = await drillProblems('long.yaml', YAML.stringify(raw));
    expect(problems).toHaveLength(2);
    expect(problems.every((p) => p.length < 300 && p.includes('…'))).toBe(true);
  });
});

describe('TypeScript drills load anywhere', () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-ts-drill-'));
  afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

  it('in a folder whose package.json has no "type", and in one with no package.json', async () => {
    const withPkg = path.join(outside, 'with-pkg');
    fs.mkdirSync(withPkg);
    fs.writeFileSync(path.join(withPkg, 'package.json'), JSON.stringify({ name: 'drills' }));
    const body = `const rate: number = 10;\nconst d = ${JSON.stringify(drill())};\nd.load.profiles[0].rate = rate;\nexport default d;\n`;
    fs.writeFileSync(path.join(withPkg, 'drill.ts'), body);
    expect((await loadDrill(path.join(withPkg, 'drill.ts'))).drill.name).toBe('strict-drill');
    const bare = path.join(outside, 'bare');
    fs.mkdirSync(bare);
    fs.writeFileSync(path.join(bare, 'drill.ts'), body);
    expect((await loadDrill(path.join(bare, 'drill.ts'))).drill.load.profiles[0]).toMatchObject({ rate: 10 });
  });

  it('refuses a module that calls process.exit while it loads', async () => {
    const file = path.join(outside, 'exits.ts');
    fs.writeFileSync(file, `process.exit(0);\nexport default ${JSON.stringify(drill())};\n`);
    const err = await loadDrill(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrillError);
    expect((err as DrillError).problems).toEqual(['the module called process.exit(0) while loading: a drill module must only export its definition, remove the call']);
  });
});
