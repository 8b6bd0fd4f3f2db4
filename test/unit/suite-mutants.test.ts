// The mutants file schema, applyMutant (pure) and the checks that stop a matrix before it runs.
import { launchedService } from '../../src/schema/drill.ts';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDrill } from '../../src/schema/load.ts';
import { applyMutant, findMutant, findMutantsFile, loadMutants, MutantsError, mutantProblems, parseMutants, unknownTargets } from '../../src/suite/mutants.ts';
import { tmpDir } from '../helpers.ts';

const drill = parseDrill(
  {
    name: 'az-outage',
    app: 'APP1',
    target: {
      kind: 'process',
      service: { name: 'hub', command: ['node', 'server.mjs'], replicas: 2, zones: ['a', 'b'], env: { PARTNER_URL: '{{partners.acme.url}}', DEFECTS: '' } },
    },
    load: { requests: [{ name: 'offers', path: '/offers' }], profiles: [{ profile: 'baseline', rate: 10, duration: '20s' }] },
    partners: [{ name: 'acme', behaviours: [{ at: '0s', status: 200 }] }],
    faults: [{ name: 'lose-a', driver: 'process', action: 'az-failure', target: 'hub', zone: 'a', at: '5s', duration: '5s' }],
    slos: [{ name: 'availability', kind: 'availability', objective: '99.9%' }],
  },
  'az-outage.yaml',
);

const noBackoff = { name: 'no-backoff', defect: 'no-backoff', override: { env: { DEFECTS: 'no-backoff' } }, mustFail: ['partner-429-storm'] };
const singleZone = { name: 'single-zone', defect: 'single-zone', override: { env: { DEFECTS: 'single-zone' }, zones: ['a'] }, mustFail: ['az-outage'] };

describe('mutants file schema', () => {
  it('accepts mutants with an env and/or zones override and the drills that must catch them', () => {
    const mutants = parseMutants({ mutants: [noBackoff, singleZone] }, 'mutants.yaml');
    expect(mutants.map((m) => m.name)).toEqual(['no-backoff', 'single-zone']);
    expect(mutants[1].override.zones).toEqual(['a']);
  });

  it('names the file, the path and the fix of every problem', () => {
    const bad = {
      mutants: [
        { ...noBackoff, mustFail: [] },
        { ...singleZone, override: {} },
        { ...noBackoff, name: 'healthy' },
        { ...singleZone, override: { env: { 'not a name': '1' } } },
        { ...noBackoff, extra: true },
      ],
    };
    let err: MutantsError | null = null;
    try {
      parseMutants(bad, 'examples/mutants.yaml');
    } catch (e) {
      err = e as MutantsError;
    }
    expect(err).toBeInstanceOf(MutantsError);
    expect(err!.message).toMatch(/^examples\/mutants\.yaml: the mutants file is not valid/);
    const text = err!.problems.join('\n');
    expect(text).toMatch(/mutants\[0\]\.mustFail: name at least one drill that must catch this mutant/);
    expect(text).toMatch(/mutants\[1\]\.override: an override changes something: give env/);
    expect(text).toMatch(/mutants\[2\]\.name: "healthy" is the row of the unmodified system/);
    expect(text).toMatch(/mutants\[3\]\.override\.env\.not a name: "not a name" is not an environment variable name/);
    expect(text).toMatch(/mutants\[4\].extra: unknown key/);
  });

  it('mutant names are unique and a drill is named once per mutant', () => {
    expect(() => parseMutants({ mutants: [noBackoff, { ...singleZone, name: 'no-backoff', mustFail: ['az', 'az'] }] }, 'm.yaml')).toThrow(
      /mutants\[1\]\.name: mutant names are unique: "no-backoff" is also mutants\[0\]\n {2}- mutants\[1\]\.mustFail: "az" is listed twice/,
    );
  });

  it('reads YAML from a file, reports YAML syntax errors with the line, and finds mutants.yaml up to two folders above', () => {
    const dir = tmpDir('gameday-mutants');
    const drills = path.join(dir, 'drills', 'catalogue');
    fs.mkdirSync(drills, { recursive: true });
    const file = path.join(dir, 'mutants.yaml');
    fs.writeFileSync(file, 'mutants:\n  - name: no-backoff\n    defect: no-backoff\n    override: { env: { DEFECTS: no-backoff } }\n    mustFail: [partner-429-storm]\n');
    expect(findMutantsFile(drills)).toBe(file);
    const loaded = loadMutants(file);
    expect(findMutant(loaded, 'no-backoff').override.env).toEqual({ DEFECTS: 'no-backoff' });
    expect(() => findMutant(loaded, 'no-jitter')).toThrow(/no mutant named "no-jitter": use one of no-backoff/);
    fs.writeFileSync(file, 'mutants:\n  - name: [unclosed\n');
    expect(() => loadMutants(file)).toThrow(/line \d+: /);
    expect(() => loadMutants(path.join(dir, 'missing.yaml'))).toThrow(/cannot read the file: ENOENT; fix: pass --mutants FILE/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('applyMutant', () => {
  it('merges env (the mutant wins), replaces zones, and leaves the drill it was given untouched', () => {
    const [nb, sz] = parseMutants({ mutants: [noBackoff, singleZone] }, 'm.yaml');
    const before = JSON.stringify(drill);
    const a = applyMutant(drill, nb);
    expect(launchedService(a.target)!.env).toEqual({ PARTNER_URL: '{{partners.acme.url}}', DEFECTS: 'no-backoff' });
    expect(launchedService(a.target)!.zones).toEqual(['a', 'b']);
    const b = applyMutant(drill, sz);
    expect(launchedService(b.target)!.zones).toEqual(['a']);
    expect(launchedService(b.target)!.env.DEFECTS).toBe('single-zone');
    // everything else is the same drill
    expect({ ...b, target: null }).toEqual({ ...drill, target: null });
    expect(launchedService(b.target)!.replicas).toBe(2);
    expect(JSON.stringify(drill)).toBe(before);
    expect(launchedService(b.target)!.zones).not.toBe(launchedService(drill.target)!.zones);
  });

  it('reports a zone fault left without replicas by the override, naming the fix', () => {
    const [sz] = parseMutants({ mutants: [{ ...singleZone, override: { zones: ['b'] } }] }, 'm.yaml');
    expect(mutantProblems(drill, sz)).toEqual([
      'faults[0].zone: mutant "single-zone" puts the replicas in zone(s) b, so no replica runs in zone "a": fix the mutant\'s override.zones or the drill\'s fault',
    ]);
    const [ok] = parseMutants({ mutants: [singleZone] }, 'm.yaml');
    expect(mutantProblems(drill, ok)).toEqual([]);
  });

  it('mustFail entries naming no drill are listed with their path and the fix', () => {
    const mutants = parseMutants({ mutants: [noBackoff, singleZone] }, 'm.yaml');
    expect(unknownTargets(mutants, ['az-outage'])).toEqual(['mutants[0].mustFail[0]: no drill named "partner-429-storm" among the drills given (az-outage): fix the name or add the drill']);
  });
});
