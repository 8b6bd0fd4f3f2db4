import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { scrubSecrets, secretPatterns } from '../../src/evidence/secrets.ts';
import { makeRunDir, tmpDir } from './evidence-fixture.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OTHER = 'tok-9f8e7d6c5b4a';

describe('secret scan', () => {
  it('passes a clean run directory', async () => {
    const dir = makeRunDir(tmp());
    expect(await scrubSecrets(dir, [SECRET, OTHER])).toEqual({ ok: true, findings: [], unscanned: [], skipped: [] });
  });

  it('finds a secret planted in the second member of a gzip file, and names the file', async () => {
    const dir = makeRunDir(tmp());
    const file = path.join(dir, 'k6_samples.ndjson.gz');
    const line = JSON.stringify({ type: 'Point', data: { tags: { webhook_secret: OTHER } } });
    fs.writeFileSync(file, Buffer.concat([fs.readFileSync(file), gzipSync(`${line}\n`)]));
    const scan = await scrubSecrets(dir, [SECRET, OTHER]);
    expect(scan.ok).toBe(false);
    expect(scan.findings).toEqual([{ file: 'k6_samples.ndjson.gz', where: 'gzip content', form: 'raw', secret: 1 }]);
    expect(JSON.stringify(scan)).not.toContain(OTHER);
  });

  it('finds encoded forms: base64 at any alignment, base64url, hex, URL-encoding, and the webhook key material', async () => {
    // base64url and base64 are the same text unless "+" or "/" occur: either name is right then
    const cases: Array<[RegExp, string]> = [
      [/ base64$/, Buffer.from(`Authorization: Basic ${SECRET}`).toString('base64')],
      [/ base64$/, Buffer.from(`x${SECRET}`).toString('base64')],
      [/ base64(url)?$/, Buffer.from(`xy${SECRET}?`).toString('base64url')],
      [/ base64(url)?$/, Buffer.from(`\u00ff\u00ff${OTHER}/+?>>`, 'latin1').toString('base64url')],
      [/ hex$/, Buffer.from(SECRET).toString('hex').toUpperCase()],
      [/ url-encoded$/, `secret=${encodeURIComponent(`${OTHER}/+`)}`],
      [/ key material$/, `key=${SECRET.slice('whsec_'.length)}`],
      [/ key material$/, Buffer.from(SECRET.slice('whsec_'.length), 'base64').toString('hex')],
    ];
    for (const [form, text] of cases) {
      const dir = makeRunDir(tmp());
      fs.appendFileSync(path.join(dir, 'logs/partner-hub-1.log'), `debug ${text}\n`);
      const scan = await scrubSecrets(dir, [SECRET, `${OTHER}/+`]);
      expect(scan.ok, text).toBe(false);
      expect(
        scan.findings.some((f) => f.file === 'logs/partner-hub-1.log' && form.test(` ${f.form}`)),
        `${text}: ${JSON.stringify(scan.findings)}`,
      ).toBe(true);
    }
  });

  it('finds a secret split across read chunks of a large file', async () => {
    const dir = makeRunDir(tmp());
    const pad = Buffer.alloc((1 << 20) - 10, 'a'); // the secret straddles the 1 MiB read boundary
    fs.writeFileSync(path.join(dir, 'k6_stderr.log'), Buffer.concat([pad, Buffer.from(SECRET), Buffer.from('\n')]));
    const scan = await scrubSecrets(dir, [SECRET]);
    expect(scan.findings.map((f) => `${f.file} ${f.form}`)).toContain('k6_stderr.log raw');
  });

  it('reports a gzip file it cannot read to the end, and skips secrets too short to search', async () => {
    const dir = makeRunDir(tmp());
    const file = path.join(dir, 'k6_samples.ndjson.gz');
    const gz = fs.readFileSync(file);
    fs.writeFileSync(file, gz.subarray(0, gz.length - 30));
    const scan = await scrubSecrets(dir, ['abc', SECRET]);
    expect(scan.ok).toBe(false);
    expect(scan.unscanned.map((u) => u.file)).toEqual(['k6_samples.ndjson.gz']);
    expect(scan.skipped).toEqual([0]);
  });

  it('derives no pattern shorter than the minimum', () => {
    for (const p of secretPatterns(SECRET, 0)) expect(p.bytes.length).toBeGreaterThanOrEqual(6);
  });
});
