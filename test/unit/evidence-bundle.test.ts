import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBundle } from '../../src/evidence/bundle.ts';
import { bundleFileName, ENVELOPE_FILE } from '../../src/evidence/layout.ts';
import { attestRun } from '../../src/evidence/sign-run.ts';
import { filesOf, makeRunDir, testKey, tmpDir } from './evidence-fixture.ts';

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

async function signedRun() {
  const dir = makeRunDir(path.join(tmp(), 'run'));
  await attestRun(dir, { previousRunDigest: null, key: testKey() });
  return dir;
}

async function entriesOf(zipFile: string) {
  const zip = await yauzl.openPromise(zipFile);
  const out: Array<{ name: string; method: number; mode: number; date: number; time: number; extra: number }> = [];
  for await (const e of zip.eachEntry()) out.push({ name: e.fileName, method: e.compressionMethod, mode: e.externalFileAttributes >>> 16, date: e.lastModFileDate, time: e.lastModFileTime, extra: e.extraFieldLength });
  zip.close();
  return out;
}

describe('evidence bundle', () => {
  it('is byte for byte the same when built twice from the same run', async () => {
    const dir = await signedRun();
    const out = tmp();
    const a = await writeBundle(dir, path.join(out, 'a.zip'));
    const b = await writeBundle(dir, path.join(out, 'b.zip'));
    expect(fs.readFileSync(a.file).equals(fs.readFileSync(b.file))).toBe(true);
    expect(a.sha256).toBe(b.sha256);
    expect(a.bytes).toBe(fs.statSync(a.file).size);
  });

  it('does not depend on the files\' mtimes, permissions or creation order', async () => {
    const dir = await signedRun();
    const copy = path.join(tmp(), 'copy');
    // copy in reverse order, with other modes and times
    fs.mkdirSync(path.join(copy, 'logs'), { recursive: true });
    for (const [i, f] of filesOf(dir).reverse().entries()) {
      fs.copyFileSync(path.join(dir, f), path.join(copy, f));
      fs.chmodSync(path.join(copy, f), i % 2 ? 0o600 : 0o755);
      fs.utimesSync(path.join(copy, f), new Date(2031, 4, i + 1), new Date(2001 + i, 1, 3, 4, 5, 6));
    }
    fs.utimesSync(path.join(dir, 'decisions.json'), new Date(), new Date());
    const out = tmp();
    const a = await writeBundle(dir, path.join(out, 'a.zip'));
    const b = await writeBundle(copy, path.join(out, 'b.zip'));
    expect(b.sha256).toBe(a.sha256);
  });

  it('does not depend on the host\'s time zone', async () => {
    const dir = await signedRun();
    const out = tmp();
    const script = path.join(out, 'build.mts');
    fs.writeFileSync(script, `import { writeBundle } from ${JSON.stringify(path.join(ROOT, 'src/evidence/bundle.ts'))};\nawait writeBundle(process.argv[2], process.argv[3]);\n`);
    const built: Buffer[] = [];
    for (const tz of ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
      const file = path.join(out, `${tz.replace('/', '_')}.zip`);
      execFileSync(process.execPath, ['--import', 'tsx', script, dir, file], { cwd: ROOT, env: { ...process.env, TZ: tz } });
      built.push(fs.readFileSync(file));
    }
    expect(built[1].equals(built[0])).toBe(true);
    expect(built[2].equals(built[0])).toBe(true);
  });

  it('holds every file, sorted, as 0644 files with a fixed time, stored, without directory entries', async () => {
    const dir = await signedRun();
    const info = await writeBundle(dir, path.join(dir, bundleFileName('APP2')));
    const entries = await entriesOf(info.file);
    const names = entries.map((e) => e.name);
    expect(names).toEqual(filesOf(dir).filter((f) => f !== 'evidence_bundle_APP2.zip'));
    expect(names).toEqual([...names].sort());
    expect(names).toContain(ENVELOPE_FILE);
    expect(names).toContain('logs/toxiproxy.log');
    expect(names.some((n) => n.endsWith('/'))).toBe(false);
    for (const e of entries) {
      expect(e.mode).toBe(0o100644);
      expect(e.method).toBe(0);
      expect(e.date).toBe((0 << 9) | (1 << 5) | 1); // 1980-01-01
      expect(e.time).toBe(0);
      expect(e.extra).toBe(0); // no extended timestamp
    }
    // built again with the first bundle inside the run directory: the bundle never packs itself
    const again = await writeBundle(dir, path.join(dir, bundleFileName('APP2')));
    expect(again.sha256).toBe(info.sha256);
  });

  it('refuses an unsigned run directory', async () => {
    const dir = makeRunDir(path.join(tmp(), 'run'));
    await expect(writeBundle(dir, path.join(tmp(), 'x.zip'))).rejects.toThrow(/attestation\.intoto\.jsonl is missing: the run is not signed[\s\S]*fix:/);
  });
});
