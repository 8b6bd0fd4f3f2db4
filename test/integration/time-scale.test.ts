// Time-scale is honest: the demo baseline drill decides GO when compressed ten- and fivefold —
// its recovery hold runs on the compressed clock (both values in the verdict), and its webhook
// sender still delivers every variant its mix names.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, ROOT, runCli, tmpDir } from '../helpers.ts';

interface Results {
  timeScale: number;
  verdicts: Array<{ slo: string; pass: boolean; objective: string; detail: string }>;
  senders: Array<{ name: string; mix?: Record<string, number>; report?: { byVariant: Record<string, { deliveries: number }> }; byVariant?: Record<string, { deliveries: number }> }>;
}

describe('the baseline drill, compressed', () => {
  for (const scale of ['0.1', '0.2']) {
    it(`decides GO at --time-scale ${scale}, the recovery hold scaled and every named variant delivered`, async () => {
      const out = path.join(tmpDir(`gameday-scale-${scale}`), 'run');
      const r = await runCli(['run', path.join(ROOT, 'examples/partner-hub/drills/baseline.ts'), '--time-scale', scale, '--out', out, '--no-progress']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const results = readJson<Results>(path.join(out, 'slo_results.json'));
      expect(results.timeScale).toBe(Number(scale));
      const recovery = results.verdicts.find((v) => v.slo === 'recovery-after-latency')!;
      expect(recovery.pass).toBe(true);
      expect(recovery.objective).toContain(`(3 s declared, time-scale ${scale})`);
      const sender = results.senders[0];
      const byVariant = sender.report?.byVariant ?? sender.byVariant ?? {};
      for (const variant of ['valid', 'wrong-secret', 'tampered-body', 'stale-timestamp', 'replayed-id']) expect(byVariant[variant]?.deliveries ?? 0, variant).toBeGreaterThan(0);
    }, 90_000);
  }
});
