import fs from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { afterEach, describe, expect, it } from 'vitest';
import { formatVerifyResult, verifyCommand } from '../../src/cli/verify.ts';
import { writeBundle } from '../../src/evidence/bundle.ts';
import { bundleFileName, ENVELOPE_FILE, PUBLIC_KEY_FILE } from '../../src/evidence/layout.ts';
import { attestRun } from '../../src/evidence/sign-run.ts';
import { verifyEvidence, type VerifyResult } from '../../src/evidence/verify.ts';
import { filesOf, flipByte, makeRunDir, testKey, tmpDir, type FixtureOptions } from './evidence-fixture.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A signed run directory and its bundle (outside the directory), and the signer's public key file. */
async function sealed(opts: FixtureOptions = {}) {
  const root = tmp();
  const dir = makeRunDir(path.join(root, 'run'), opts);
  const key = testKey();
  await attestRun(dir, { previousRunDigest: null, key });
  const zip = (await writeBundle(dir, path.join(root, bundleFileName('APP2')))).file;
  const pub = path.join(root, 'signer.pub.pem');
  fs.writeFileSync(pub, key.publicKeyPem);
  return { root, dir, zip, pub, key };
}

function copyDir(from: string, to: string): string {
  fs.cpSync(from, to, { recursive: true });
  return to;
}

const problemsOf = (r: VerifyResult) => r.problems.map((p) => `${p.problem} ${p.file}`);

/** Where each entry's data starts in the zip. */
async function entryOffsets(zipFile: string): Promise<Array<{ name: string; start: number; size: number }>> {
  const zip = await yauzl.openPromise(zipFile, { autoClose: false });
  const out: Array<{ name: string; start: number; size: number }> = [];
  for await (const e of zip.eachEntry()) {
    const { fileDataStart } = await zip.readLocalFileHeaderPromise(e, { minimal: true });
    out.push({ name: e.fileName, start: fileDataStart, size: e.compressedSize });
  }
  zip.close();
  return out;
}

describe('verifyEvidence', () => {
  it('passes an untouched run directory and bundle; with the bundled key it says that proves integrity, not origin', async () => {
    const { dir, zip, pub, key } = await sealed();
    for (const target of [dir, zip]) {
      const own = await verifyEvidence(target);
      expect(own.problems).toEqual([]);
      expect(own).toMatchObject({ ok: true, signatureValid: true, key: { source: 'bundle', keyid: key.keyid } });
      expect(own.key.note).toMatch(/integrity.*not who signed them \(origin\)/);
      expect(own.run).toMatchObject({ runId: '20261123T192014Z-bb2f44', drill: 'partner-hub-baseline', app: 'APP2', decision: 'GO' });
      expect(own.files).toBe(filesOf(dir).length - 2);
      const given = await verifyEvidence(target, { publicKeyFile: pub });
      expect(given).toMatchObject({ ok: true, signatureValid: true, key: { source: 'given', keyid: key.keyid } });
    }
  });

  it('fails after any single byte of any file of the run directory is flipped, naming that file', async () => {
    const { dir } = await sealed();
    const files = filesOf(dir);
    expect(files.length).toBeGreaterThanOrEqual(14);
    for (const f of files) {
      const size = fs.statSync(path.join(dir, f)).size;
      for (const at of new Set([0, Math.floor(size / 2), size - 1])) {
        const copy = copyDir(dir, path.join(tmp(), 'run'));
        flipByte(path.join(copy, f), at);
        const r = await verifyEvidence(copy);
        expect(r.ok, `${f} byte ${at}`).toBe(false);
        expect(r.problems.map((p) => p.file), `${f} byte ${at}`).toContain(f);
      }
    }
  });

  it('fails after a byte of any file inside the bundle is flipped, naming that file', async () => {
    const { zip } = await sealed();
    const offsets = await entryOffsets(zip);
    for (const e of offsets) {
      const copy = path.join(tmp(), 'bundle.zip');
      fs.copyFileSync(zip, copy);
      flipByte(copy, e.start + Math.floor(e.size / 2));
      const r = await verifyEvidence(copy);
      expect(r.ok, e.name).toBe(false);
      expect(r.problems.map((p) => p.file), e.name).toContain(e.name);
    }
  });

  it('fails after any byte of the bundle\'s structure (headers, central directory, end record) or a sample of its contents is flipped', async () => {
    const { zip } = await sealed({ minimal: true });
    const original = fs.readFileSync(zip);
    const contents = await entryOffsets(zip);
    const inContent = (at: number) => contents.some((e) => at >= e.start && at < e.start + e.size);
    const copy = path.join(tmp(), 'bundle.zip');
    const missed: number[] = [];
    let tried = 0;
    for (let at = 0; at < original.length; at++) {
      if (inContent(at) && at % 11 !== 0) continue; // every file's content is covered byte-exactly above; sample it here
      tried++;
      const buf = Buffer.from(original);
      buf[at] ^= 0x01;
      fs.writeFileSync(copy, buf);
      if ((await verifyEvidence(copy)).ok) missed.push(at);
    }
    expect(tried).toBeGreaterThan(500);
    expect(missed).toEqual([]);
  }, 120_000);

  it('rejects an envelope rewritten to mean the same: reformatted, or with base64 changed only in its unused bits', async () => {
    const { dir } = await sealed();
    const file = path.join(dir, ENVELOPE_FILE);
    const original = fs.readFileSync(file, 'utf8');
    const envelope = JSON.parse(original);

    fs.writeFileSync(file, `${JSON.stringify(envelope, null, 2)}\n`);
    expect(problemsOf(await verifyEvidence(dir))).toEqual([`modified ${ENVELOPE_FILE}`]);

    // a 64-byte signature is 86 base64 characters and "==": the last character carries 4 unused bits
    const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sig: string = envelope.signatures[0].sig;
    const last = sig.length - 3;
    const tweaked = sig.slice(0, last) + ALPHABET[ALPHABET.indexOf(sig[last]) ^ 1] + sig.slice(last + 1);
    expect(Buffer.from(tweaked, 'base64').equals(Buffer.from(sig, 'base64'))).toBe(true);
    fs.writeFileSync(file, original.replace(sig, tweaked));
    const r = await verifyEvidence(dir);
    expect(r.ok).toBe(false);
    expect(r.signatureValid).toBe(false);
    expect(r.problems.map((p) => p.file)).toEqual([ENVELOPE_FILE]);

    // the keyid edited: the signature still verifies with the bundled key, and the envelope is to blame, not the key
    const keyid: string = envelope.signatures[0].keyid;
    fs.writeFileSync(file, original.replace(keyid, `${keyid.slice(0, -1)}${keyid.endsWith('0') ? '1' : '0'}`));
    const k = await verifyEvidence(dir);
    expect(problemsOf(k)).toEqual([`signature ${ENVELOPE_FILE}`]);
    expect(k.problems[0].detail).toMatch(/^keyid-altered: the signature verifies, but its keyid was changed/);
  });

  it('reports a removed file as missing and an added file as unexpected', async () => {
    const { dir, zip, root } = await sealed();
    const copy = copyDir(dir, path.join(tmp(), 'run'));
    fs.rmSync(path.join(copy, 'k6_summary.json'));
    fs.writeFileSync(path.join(copy, 'logs/extra.log'), 'added later\n');
    const r = await verifyEvidence(copy);
    expect(r.ok).toBe(false);
    expect(r.signatureValid).toBe(true);
    expect(problemsOf(r)).toEqual(['missing k6_summary.json', 'unexpected logs/extra.log']);

    // the same in a bundle rebuilt from the changed directory
    const rebuilt = (await writeBundle(copy, path.join(root, 'rebuilt.zip'))).file;
    expect(problemsOf(await verifyEvidence(rebuilt))).toEqual(['missing k6_summary.json', 'unexpected logs/extra.log']);
    expect((await verifyEvidence(zip)).ok).toBe(true);
  });

  it('fails a bundle signed with another key when checked with the given key', async () => {
    const { zip } = await sealed();
    const other = await sealed();
    const r = await verifyEvidence(zip, { publicKeyFile: other.pub });
    expect(r.ok).toBe(false);
    expect(r.signatureValid).toBe(false);
    expect(r.key.source).toBe('given');
    expect(problemsOf(r)).toEqual(expect.arrayContaining([`signature ${ENVELOPE_FILE}`, `key ${PUBLIC_KEY_FILE}`]));
  });

  it('catches a re-signed directory whose public key was swapped: it verifies only with the bundled key', async () => {
    const { dir, pub } = await sealed();
    const copy = copyDir(dir, path.join(tmp(), 'run'));
    fs.writeFileSync(path.join(copy, 'decisions.json'), fs.readFileSync(path.join(copy, 'decisions.json'), 'utf8').replace('"GO"', '"NO-GO"'));
    await attestRun(copy, { previousRunDigest: null, key: testKey() }); // a forger with their own key
    const own = await verifyEvidence(copy);
    expect(own.key.source).toBe('bundle');
    expect(own.key.note).toMatch(/not who signed/);
    // the manifest no longer agrees with the forged file
    expect(problemsOf(own)).toEqual(['manifest-mismatch decisions.json']);
    const given = await verifyEvidence(copy, { publicKeyFile: pub });
    expect(given.signatureValid).toBe(false);
  });

  it('checks a bundle kept inside its run directory as part of the directory', async () => {
    const { dir } = await sealed();
    const inside = path.join(dir, bundleFileName('APP2'));
    await writeBundle(dir, inside);
    expect((await verifyEvidence(dir)).ok).toBe(true);
    flipByte(inside, 200);
    const r = await verifyEvidence(dir);
    expect(r.ok).toBe(false);
    expect(r.problems[0].file.startsWith('evidence_bundle_APP2.zip')).toBe(true);
  });

  it('reports a zip that cannot be read instead of throwing', async () => {
    const file = path.join(tmp(), 'evidence_bundle_X.zip');
    fs.writeFileSync(file, 'not a zip at all');
    const r = await verifyEvidence(file);
    expect(r.ok).toBe(false);
    expect(problemsOf(r)).toEqual(['archive evidence_bundle_X.zip']);
  });
});

describe('gameday verify', () => {
  it('exits 0 with a human report for intact evidence and 1 naming the changed file otherwise', async () => {
    const { dir, zip, pub } = await sealed();
    let out = '';
    expect(await verifyCommand(zip, { key: pub, out: (t) => (out += t) })).toBe(0);
    expect(out).toMatch(/evidence_bundle_APP2\.zip: VERIFIED: \d+ signed files match, signature valid/);
    expect(out).toContain('checked with the given public key');

    const copy = copyDir(dir, path.join(tmp(), 'run'));
    flipByte(path.join(copy, 'slo_results.json'), 10);
    out = '';
    expect(await verifyCommand(copy, { out: (t) => (out += t) })).toBe(1);
    expect(out).toMatch(/NOT VERIFIED: 1 problem/);
    expect(out).toMatch(/MODIFIED\s+slo_results\.json: sha256/);
    expect(out).toContain('not who signed them');

    let err = '';
    expect(await verifyCommand(path.join(copy, 'nope.zip'), { err: (t) => (err += t) })).toBe(1);
    expect(err).toMatch(/nope\.zip: cannot be read: ENOENT[\s\S]*fix:/);
    err = '';
    expect(await verifyCommand(zip, { key: path.join(copy, 'decisions.json'), err: (t) => (err += t) })).toBe(1);
    expect(err).toMatch(/decisions\.json: not a PEM public key/);
  });

  it('prints JSON when asked', async () => {
    const { zip } = await sealed();
    let out = '';
    expect(await verifyCommand(zip, { json: true, out: (t) => (out += t) })).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ ok: true, kind: 'zip', problems: [] });
    expect(formatVerifyResult(JSON.parse(out))).toContain('VERIFIED');
  });
});
