// Public API of gameday for drill authors: `import { defineDrill } from 'gameday'`.
import type { DrillInput } from './schema/drill.ts';

export type { DrillInput, Drill } from './schema/drill.ts';

/** Declares a drill; it is validated when `gameday run` loads it. */
export function defineDrill(drill: DrillInput): DrillInput {
  return drill;
}
