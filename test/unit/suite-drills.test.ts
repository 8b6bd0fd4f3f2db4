// The drills of a suite: folders and files resolved in order, each once; every drill read and
// validated before anything runs, all problems reported together.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DrillError } from '../../src/schema/load.ts';
import { drillFilesIn, loadDrills, resolveDrillFiles, SuiteDrillsError } from '../../src/suite/drills.ts';
import { ROOT, tmpDir } from '../helpers.ts';

const fixture = (name: string) => path.join(ROOT, 'test/fixtures', name);

describe('suite drills', () => {
  it('a folder gives its drill files by name (not .d.ts, not other files); files and folders keep their order, each drill once', () => {
    const dir = tmpDir('gameday-suite-drills');
    for (const f of ['b.yaml', 'a.ts', 'c.d.ts', 'notes.md', 'd.json']) fs.writeFileSync(path.join(dir, f), '');
    fs.mkdirSync(path.join(dir, 'nested'));
    expect(drillFilesIn(dir).map((f) => path.basename(f))).toEqual(['a.ts', 'b.yaml', 'd.json']);
    const files = resolveDrillFiles([path.join(dir, 'd.json'), dir, path.join(dir, 'a.ts')]);
    expect(files.map((f) => path.basename(f))).toEqual(['d.json', 'a.ts', 'b.yaml']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a missing path or an empty folder is a DrillError naming it and the fix', () => {
    const dir = tmpDir('gameday-suite-empty');
    expect(() => resolveDrillFiles([path.join(dir, 'nope.ts')])).toThrow(/nope\.ts: the drill is not valid\n {2}- cannot read it: ENOENT; fix: pass a drill file or a folder of drills/);
    expect(() => resolveDrillFiles([dir])).toThrow(/the folder holds no drill files/);
    expect(() => resolveDrillFiles([])).toThrow(DrillError);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loads every drill and reports every problem at once: invalid files and two drills with one name', async () => {
    const dir = tmpDir('gameday-suite-load');
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, fs.readFileSync(fixture('segments.yaml'), 'utf8').replace('rate: 60', 'rate: -1'));
    const twin = path.join(dir, 'twin.yaml');
    fs.copyFileSync(fixture('segments.yaml'), twin);
    const ok = await loadDrills([fixture('segments.yaml'), fixture('spike.yaml')]);
    expect(ok.map((l) => l.drill.name)).toEqual(['fixture-segments', 'fixture-spike']);
    let err: SuiteDrillsError | null = null;
    try {
      await loadDrills([fixture('segments.yaml'), bad, twin]);
    } catch (e) {
      err = e as SuiteDrillsError;
    }
    expect(err).toBeInstanceOf(DrillError);
    expect(err!.message).toMatch(/bad\.yaml: the drill is not valid\n {2}- load\.profiles\[0\]\.rate/);
    expect(err!.message).toMatch(/twin\.yaml: name: "fixture-segments" is also the name of .*segments\.yaml: give each drill of a suite its own name/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
