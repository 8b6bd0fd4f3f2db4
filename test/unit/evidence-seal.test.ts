import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../src/evidence/layout.ts';
import { chainFile, lineDigest, verifyChain } from '../../src/evidence/run-chain.ts';
import { sealRun } from '../../src/evidence/seal.ts';
import { verifyEvidence } from '../../src/evidence/verify.ts';
import { makeRunDir, testKey, tmpDir } from './evidence-fixture.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('sealRun', () => {
  it('chains, signs and bundles runs one after another; each statement names the chain line before it', async () => {
    const reports = tmp();
    const key = testKey();
    const runs = ['20261123T192014Z-aaaaaa', '20261124T080000Z-bbbbbb'];
    const sealed = [];
    for (const runId of runs) {
      const runDir = makeRunDir(path.join(reports, 'APP2', runId), { runId });
      sealed.push(await sealRun({ runDir, reportsRoot: reports, app: 'APP2', runId, key }));
    }
    const chain = chainFile(reports, 'APP2');
    const lines = fs.readFileSync(chain, 'utf8').trimEnd().split('\n');
    expect(sealed[0].previousRunDigest).toBeNull();
    expect(sealed[1].previousRunDigest).toBe(lineDigest(lines[0]));
    expect(sealed[1].attestation.statement.predicate.previousRunDigest).toBe(lineDigest(lines[0]));
    expect(JSON.parse(lines[1]).manifestSha256).toBe((await hashFile(path.join(reports, 'APP2', runs[1], 'run_manifest.json'))).sha256);
    expect(verifyChain(chain)).toMatchObject({ ok: true, lines: 2 });

    for (const s of sealed) {
      expect(path.basename(s.bundle.file)).toBe('evidence_bundle_APP2.zip');
      const zip = await verifyEvidence(s.bundle.file);
      expect(zip.problems).toEqual([]);
      const dir = await verifyEvidence(path.dirname(s.bundle.file));
      expect(dir.problems).toEqual([]);
      expect(zip.run?.runId).toBe(s.attestation.statement.predicate.runId);
    }
  });
});
