// `gameday bundle`: a TypeScript scenario, or a drill with --target, into one plain k6 script.
import fs from 'node:fs';
import path from 'node:path';
import { loadDrill } from '../schema/load.ts';
import { bundleScenario, DRILL_SCENARIO } from '../k6/bundle.ts';
import { planDrill } from '../plan/plan.ts';
import type { Drill } from '../schema/drill.ts';
import { buildK6Plan, secretEnvName } from '../k6/plan.ts';

export interface BundleOptions {
  out: string;
  /** drill mode: base URLs of the SUT the script sends load to */
  target?: string[];
  timeScale?: number;
}

/**
 * Without --target the file is a k6 scenario (TypeScript or JavaScript), bundled as it is.
 * With --target it is a drill: its load, phase tags and SLO thresholds go into a standalone
 * script (the plan embedded; the timeline starts when k6 does; no faults, no simulators).
 */
export async function bundleCommand(file: string, o: BundleOptions): Promise<string> {
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  if (!o.target?.length) {
    if (!fs.existsSync(file)) throw new Error(`${file}: no such scenario file`);
    await bundleScenario(path.resolve(file), o.out);
    return `${o.out}: bundled ${file} for k6`;
  }
  const { drill, secrets } = await bundleDrill(file, o.target, o.out, o.timeScale);
  return `${o.out}: drill ${drill.name} bundled for k6 against ${o.target.join(', ')}${secrets.length ? ` (set ${secrets.join(', ')})` : ''}`;
}

/** A drill as a standalone k6 script with its plan embedded; returns the secret env vars it needs. */
export async function bundleDrill(file: string, targets: string[], out: string, timeScale?: number): Promise<{ drill: Drill; secrets: string[] }> {
  const loaded = await loadDrill(file);
  const plan = planDrill(loaded.drill, timeScale ?? loaded.drill.timeScale);
  const k6Plan = buildK6Plan(loaded.drill, plan, 0, targets.map((t) => t.replace(/\/$/, '')));
  await bundleScenario(DRILL_SCENARIO, out, { __GAMEDAY_PLAN__: k6Plan });
  const secrets = [...new Set(loaded.drill.load.requests.filter((r) => r.webhook).map((r) => secretEnvName(r.webhook!.partner)))];
  return { drill: loaded.drill, secrets };
}
