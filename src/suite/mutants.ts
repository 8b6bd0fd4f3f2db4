// Mutants: reading the mutants file, and applying one mutant to a drill (pure).
import fs from 'node:fs';
import path from 'node:path';
import { DrillError, parseWith, readDataFile } from '../schema/config-file.ts';
import { isRunningSystem, launchedService, type Drill } from '../schema/drill.ts';
import { MutantsFile, type Mutant } from '../schema/mutants.ts';

export const MUTANTS_FILE_NAME = 'mutants.yaml';

/** The mutants file could not be read or is invalid. */
export class MutantsError extends DrillError {
  constructor(file: string, problems: string[]) {
    super(file, problems, 'the mutants file');
    this.name = 'MutantsError';
  }
}

const mutantsError = (file: string, problems: string[]) => new MutantsError(file, problems);

export interface LoadedMutants {
  file: string;
  mutants: Mutant[];
}

export function parseMutants(raw: unknown, file: string): Mutant[] {
  return parseWith(MutantsFile, raw, file, mutantsError).mutants;
}

export function loadMutants(fileArg: string): LoadedMutants {
  const { file, raw } = readDataFile(fileArg, mutantsError, 'fix: pass --mutants FILE');
  return { file, mutants: parseMutants(raw, fileArg) };
}

/**
 * The mutants file that belongs to a drill folder: mutants.yaml in the folder itself or in one of
 * its two parents (examples/partner-hub/mutants.yaml for examples/partner-hub/drills/catalogue).
 */
export function findMutantsFile(folder: string): string | null {
  let dir = path.resolve(folder);
  for (let i = 0; i < 3; i++) {
    const candidate = path.join(dir, MUTANTS_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}

export function findMutant(loaded: LoadedMutants, name: string): Mutant {
  const m = loaded.mutants.find((x) => x.name === name);
  if (!m) throw new MutantsError(loaded.file, [`no mutant named "${name}": use one of ${loaded.mutants.map((x) => x.name).join(', ')}`]);
  return m;
}

/** The drill with the mutant's override applied to its target service: env merged, zones replaced. Pure. */
export function applyMutant(drill: Drill, mutant: Mutant): Drill {
  // an external system is not gameday's to launch: no service for a mutant to change (mutantProblems says so)
  if (isRunningSystem(drill.target)) return drill;
  const service = drill.target.service;
  return {
    ...drill,
    target: {
      ...drill.target,
      service: {
        ...service,
        env: { ...service.env, ...(mutant.override.env ?? {}) },
        zones: mutant.override.zones ? [...mutant.override.zones] : [...service.zones],
      },
    },
  };
}

/** What the override breaks in this drill (a fault aimed at a zone no replica runs in any more), as messages. */
export function mutantProblems(drill: Drill, mutant: Mutant): string[] {
  const service = launchedService(applyMutant(drill, mutant).target);
  if (!service) return [`mutant "${mutant.name}" overrides the service gameday launches, and this drill's target is external (gameday starts nothing of it): drop the mutant for this drill`];
  const zones = service.zones.slice(0, service.replicas);
  const problems: string[] = [];
  drill.faults.forEach((f, i) => {
    if (f.action === 'az-failure' && !zones.includes(f.zone)) {
      problems.push(`faults[${i}].zone: mutant "${mutant.name}" puts the replicas in zone(s) ${zones.join(', ')}, so no replica runs in zone "${f.zone}": fix the mutant's override.zones or the drill's fault`);
    }
  });
  return problems;
}

/** mustFail entries that name no drill of the set, as messages naming the file path and the fix. */
export function unknownTargets(mutants: readonly Mutant[], drillNames: readonly string[]): string[] {
  const known = new Set(drillNames);
  const out: string[] = [];
  mutants.forEach((m, i) =>
    m.mustFail.forEach((d, j) => {
      if (!known.has(d)) out.push(`mutants[${i}].mustFail[${j}]: no drill named "${d}" among the drills given (${drillNames.join(', ') || 'none'}): fix the name or add the drill`);
    }),
  );
  return out;
}
