// Time to sign and pack the evidence bundle of a run whose samples file is 50 MB (goal: a
// signed bundle within 2 s), and to verify it. Prints figures; asserts nothing.
//   npx tsx bench/bundle.bench.ts [samples MB]
import fs from 'node:fs';
import path from 'node:path';
import { writeBundle } from '../src/evidence/bundle.ts';
import { bundleFileName } from '../src/evidence/layout.ts';
import { attestRun } from '../src/evidence/sign-run.ts';
import { verifyEvidence } from '../src/evidence/verify.ts';
import { makeRunDir, testKey, tmpDir } from '../test/unit/evidence-fixture.ts';

const MB = Number(process.argv[2] ?? 50);
const GOAL_MS = 2000;
const ROUNDS = 3;

const root = tmpDir('gameday-bench-');
try {
  const dir = makeRunDir(path.join(root, 'run'), { samplesBytes: MB << 20 });
  const key = testKey();
  const ms = (t: number) => performance.now() - t;
  const rows: Array<{ sign: number; pack: number; total: number; verifyZip: number; verifyDir: number; bytes: number }> = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t = performance.now();
    await attestRun(dir, { previousRunDigest: null, key });
    const sign = ms(t);
    t = performance.now();
    const bundle = await writeBundle(dir, path.join(root, bundleFileName('APP2')));
    const pack = ms(t);
    t = performance.now();
    const z = await verifyEvidence(bundle.file);
    const verifyZip = ms(t);
    t = performance.now();
    const d = await verifyEvidence(dir);
    const verifyDir = ms(t);
    if (!z.ok || !d.ok) throw new Error(`verification failed: ${JSON.stringify([...z.problems, ...d.problems])}`);
    rows.push({ sign, pack, total: sign + pack, verifyZip, verifyDir, bytes: bundle.bytes });
  }
  const best = rows.reduce((a, b) => (b.total < a.total ? b : a));
  const f = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
  process.stdout.write(`evidence bundle, run directory with a ${MB} MB samples file (${(best.bytes / 2 ** 20).toFixed(1)} MB bundle), best of ${ROUNDS}:\n`);
  process.stdout.write(`  sign (hash every file, in-toto statement, DSSE Ed25519)  ${f(best.sign)}\n`);
  process.stdout.write(`  pack (deterministic zip)                                  ${f(best.pack)}\n`);
  process.stdout.write(`  signed bundle                                             ${f(best.total)}   goal < ${GOAL_MS} ms: ${best.total < GOAL_MS ? 'met' : 'NOT met'}\n`);
  process.stdout.write(`  verify the bundle (incl. canonical rebuild)               ${f(best.verifyZip)}\n`);
  process.stdout.write(`  verify the run directory                                  ${f(best.verifyDir)}\n`);
  process.stdout.write(`  all rounds (sign+pack): ${rows.map((r) => r.total.toFixed(0)).join(', ')} ms\n`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
