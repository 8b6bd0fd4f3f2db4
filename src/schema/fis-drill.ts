// An AWS FIS fault inside a drill (`driver: fis`). Its `fis:` block is the FIS fault spec of
// ./fis.ts minus what the fault already says: its action (the spec's `fault`) and its window
// (the spec's `duration` / `maxDuration`, from the fault's `duration` on the drill's clock). The
// block is completed from the fault and validated by that one schema, so `gameday fis --dry-run`
// and a drill accept the same specs.
import { z } from 'zod';
import { FIS_VIAS, fisSpecIssues, type FisFault, type FisFaultSpec } from './fis.ts';

/** The `fis:` block as written; every key is checked by the FIS spec schema (strict). */
export const FisBlock = z.record(z.string(), z.unknown());

/** The spec key a via's FIS action lasts by: it takes the fault's window. Vias without one act once. */
const WINDOW_KEY: Readonly<Record<string, 'duration' | 'maxDuration'>> = {
  'disrupt-connectivity': 'duration',
  'az-power-interruption': 'duration',
  'ssm-disk-fill': 'duration',
  'inject-api-throttle-error': 'duration',
  'msk-reboot': 'maxDuration',
};

/** Fault parameters of other drivers that mean nothing to FIS: refused rather than ignored. */
const NOT_FOR_FIS = ['restartAfter', 'select', 'stream', 'network', 'grace'] as const;

/** What of a drill fault the FIS spec is completed from. */
export interface FisFaultFields {
  action: string;
  duration: number;
  zone?: string;
  fis?: Record<string, unknown>;
}

export type FisFaultIssue = { path: PropertyKey[]; message: string };

/**
 * The FIS spec of a `driver: fis` fault; issue paths are inside the fault (`fis.pods.namespace`,
 * `duration`). `guardAlarms`: the drill's guards' CloudWatch alarms, added to its stop conditions.
 */
export function fisSpecOfFault(f: FisFaultFields, guardAlarms: readonly string[] = []): { ok: true; spec: FisFaultSpec } | { ok: false; issues: FisFaultIssue[] } {
  const issues: FisFaultIssue[] = [];
  if (!f.fis) return { ok: false, issues: [{ path: ['fis'], message: 'a driver: fis fault needs its FIS spec: add fis: { region, roleArn, stopConditions, ... } (see `gameday fis --help`)' }] };
  const fields = f as unknown as Record<string, unknown>;
  for (const key of NOT_FOR_FIS) {
    if (fields[key] !== undefined) issues.push({ path: [key], message: `${key} is not an FIS setting: remove it (FIS picks its targets from the fis: block)` });
  }
  // parameters with a default for the local drivers: only their default can pass unnoticed, so any other value is refused
  if (fields.replica !== undefined && fields.replica !== 0) issues.push({ path: ['replica'], message: 'FIS picks the pods or tasks from the fis: block (selectionMode): remove replica' });
  if (fields.percent !== undefined && fields.percent !== 100) issues.push({ path: ['percent'], message: 'the FIS disk fill takes its percent in the fis: block: move it to fis.percent' });
  const block = f.fis;
  if (block.fault !== undefined) issues.push({ path: ['fis', 'fault'], message: "the fault's action says what FIS does: remove fis.fault" });
  for (const key of ['duration', 'maxDuration']) {
    if (block[key] !== undefined) issues.push({ path: ['fis', key], message: `the fault's window says how long FIS acts: remove fis.${key} and set the fault's duration` });
  }
  if (issues.length) return { ok: false, issues };
  const fault = f.action as FisFault;
  const via = typeof block.via === 'string' ? block.via : FIS_VIAS[fault]?.[0];
  const spec: Record<string, unknown> = { ...block, fault };
  if (guardAlarms.length) {
    const own = Array.isArray(block.stopConditions) ? (block.stopConditions as unknown[]) : [];
    spec.stopConditions = [...new Set([...own, ...guardAlarms])];
    if (block.stopConditionWaiver !== undefined) issues.push({ path: ['fis', 'stopConditionWaiver'], message: "the drill's guards name CloudWatch alarms, which stop this experiment: remove stopConditionWaiver" });
  }
  const windowKey = via ? WINDOW_KEY[via] : undefined;
  if (windowKey) spec[windowKey] = f.duration;
  // az-failure names its zone on the fault: an AZ power interruption takes it as the zone that loses power
  if (via === 'az-power-interruption' && f.zone !== undefined) {
    if (block.availabilityZone === undefined) spec.availabilityZone = f.zone;
    else if (block.availabilityZone !== f.zone) issues.push({ path: ['fis', 'availabilityZone'], message: `the fault's zone is "${f.zone}": remove fis.availabilityZone, or make it the same` });
  }
  const parsed = fisSpecIssues(spec);
  if (!parsed.ok) {
    for (const i of parsed.issues) {
      const key = i.path[0];
      if (key === 'fault') issues.push({ path: ['action'], message: i.message });
      else if (key === windowKey) issues.push({ path: ['duration'], message: `the fault's window is how long FIS acts: ${i.message}` });
      else issues.push({ path: ['fis', ...i.path], message: i.message });
    }
  }
  if (issues.length || !parsed.ok) return { ok: false, issues };
  return { ok: true, spec: parsed.spec };
}

/** The AWS accounts an FIS spec acts in: the role FIS assumes, its alarms and its targets' ARNs. */
export function fisAccounts(spec: FisFaultSpec): string[] {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      const m = /^arn:aws(?:-[a-z]+)*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(v);
      if (m) found.add(m[1]);
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(spec);
  return [...found].sort();
}
