// Labels on everything the containers driver creates (containers and networks), and how a fault's
// targets select containers by them. Pure: no Docker here.

/** the run that created it */
export const LABEL_RUN = 'gameday.run';
/** the owner marker (pid:start time) of the process that created it: a sweep removes what a dead owner left */
export const LABEL_OWNER = 'gameday.owner';
/** the service a replica belongs to */
export const LABEL_SERVICE = 'gameday.service';
/** "replica" or "toxiproxy" */
export const LABEL_ROLE = 'gameday.role';
/** the replica's name, e.g. "partner-hub-r0": what pod-kill and partition name */
export const LABEL_REPLICA = 'gameday.replica';
/** the zone a replica runs in: what az-failure selects */
export const LABEL_ZONE = 'zone';
/** on images: the content hash of everything the image was built from */
export const LABEL_INPUTS = 'gameday.inputs';

export type Labels = Record<string, string>;

export function runLabels(runId: string, owner: string): Labels {
  return { [LABEL_RUN]: runId, [LABEL_OWNER]: owner };
}

export interface Selectable {
  /** container name as created (without Docker's leading "/") */
  name: string;
  labels: Labels;
}

/**
 * A label selector "zone=a" or "zone=a,gameday.service=partner-hub" (every pair must match).
 * Returns null when `target` is not a selector but a replica name.
 */
export function parseSelector(target: string): Array<[string, string]> | null {
  if (!target.includes('=')) return null;
  const pairs = target.split(',').map((part) => {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq <= 0 || !key || !value) throw new Error(`"${target}" is not a label selector: write key=value[,key=value...], e.g. "zone=a"`);
    return [key, value] as [string, string];
  });
  return pairs;
}

export function matchesSelector(labels: Labels, selector: Array<[string, string]>): boolean {
  return selector.every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
}

/**
 * The containers a fault's targets name: a replica name (label gameday.replica, or the container
 * name) or a label selector. Each target must select at least one; the result has no duplicates
 * and keeps the order of `all`.
 */
export function selectContainers<T extends Selectable>(all: readonly T[], targets: readonly string[]): T[] {
  if (targets.length === 0) throw new Error('the fault names no target: give replica names (e.g. "partner-hub-r0") or a label selector (e.g. "zone=a")');
  const chosen = new Set<T>();
  for (const target of targets) {
    const selector = parseSelector(target);
    const hits = all.filter((c) => (selector ? matchesSelector(c.labels, selector) : c.labels[LABEL_REPLICA] === target || c.name === target));
    if (hits.length === 0) {
      const known = all.map((c) => c.labels[LABEL_REPLICA] ?? c.name).join(', ') || 'none';
      throw new Error(selector ? `the selector "${target}" matches no container of this run (containers: ${known})` : `no container named ${target} in this run (containers: ${known})`);
    }
    for (const h of hits) chosen.add(h);
  }
  return all.filter((c) => chosen.has(c));
}
