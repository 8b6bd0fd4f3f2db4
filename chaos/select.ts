// Picks a fault's victims among the candidates that match at start: reproducible from the seed,
// so the evidence's { chosen, seed } replays the same choice. Pure.
import { seededRandom } from '../simulators/random.ts';
import type { Select } from '../src/schema/select.ts';

export interface Selection {
  mode: Select['mode'];
  seed: number | null;
  /** every candidate that matched at start */
  matched: string[];
  /** the victims, in the candidates' order */
  chosen: string[];
}

/** How many victims a selection takes of n matches: percent rounds up, at least 1. */
export function victimCount(select: Select, n: number): number {
  if (select.mode === 'all') return n;
  if (select.mode === 'count') return select.value;
  return Math.max(1, Math.ceil((select.value * n) / 100));
}

/** Throws before anything is injected when nothing matches or the count exceeds the matches. */
export function selectVictims(candidates: readonly string[], select: Select, what: string): Selection {
  if (candidates.length === 0) throw new Error(`${what}: the selection matches nothing, so nothing would be injected — fix the selector (nothing was injected)`);
  const k = victimCount(select, candidates.length);
  if (k > candidates.length) throw new Error(`${what}: select.value ${k} is more than the ${candidates.length} that match at start (${candidates.join(', ')}): lower it or use mode: all`);
  const seed = select.mode === 'all' ? null : select.seed;
  if (seed === null) return { mode: select.mode, seed, matched: [...candidates], chosen: [...candidates] };
  // Fisher–Yates on indices with the seeded generator, then back into the candidates' order
  const random = seededRandom(seed);
  const idx = candidates.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const picked = new Set(idx.slice(0, k));
  return { mode: select.mode, seed, matched: [...candidates], chosen: candidates.filter((_, i) => picked.has(i)) };
}

/** One line for the chaos report: "count seed 4: b of a, b, c". */
export function describeSelection(s: Selection): string {
  return `${s.mode}${s.seed === null ? '' : ` seed ${s.seed}`}: ${s.chosen.join(', ')} of ${s.matched.join(', ')}`;
}
