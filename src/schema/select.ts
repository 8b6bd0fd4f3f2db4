// Blast radius: which of the matching replicas/containers a fault acts on.
import { z } from 'zod';

export const Select = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('all') }).strict(),
  /** exactly `value` victims (more than match at start is an error, not "all of them") */
  z.object({ mode: z.literal('count'), value: z.number().int().min(1), seed: z.number().int().min(0).default(1) }).strict(),
  /** ceil(value% of the matches), at least 1: 50% of 3 is 2, 10% of 3 is 1 */
  z.object({ mode: z.literal('percent'), value: z.number().gt(0).max(100), seed: z.number().int().min(0).default(1) }).strict(),
]);
export type Select = z.infer<typeof Select>;
