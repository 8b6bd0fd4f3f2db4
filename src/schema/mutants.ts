// The mutants file: each mutant is the system under test with one defect switched on (an
// override of the drill's target service) and the drills that exist to catch that defect.
// `gameday suite --mutant NAME` runs drills against one; `gameday matrix` runs them all.
import { z } from 'zod';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'use lowercase letters, digits and dashes, e.g. "no-backoff"');

/** What a mutant changes in `target.service`; everything else of the drill stays as it is. */
export const ServiceOverride = z
  .strictObject({
    /** merged into the service's env (a key given here replaces the drill's), e.g. {DEFECTS: "no-backoff"} */
    env: z
      .record(z.string(), z.string())
      .superRefine((env, ctx) => {
        for (const k of Object.keys(env)) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" is not an environment variable name: use letters, digits and "_", e.g. "DEFECTS"` });
        }
      })
      .optional(),
    /** replaces the service's zones, e.g. [a] for a single-zone topology */
    zones: z.array(Slug).min(1, 'give at least one zone, e.g. [a]').optional(),
  })
  .refine((o) => o.env !== undefined || o.zones !== undefined, { message: 'an override changes something: give env (e.g. {DEFECTS: no-backoff}) and/or zones (e.g. [a])' });
export type ServiceOverride = z.output<typeof ServiceOverride>;

export const Mutant = z.strictObject({
  /** how the mutant is called on the command line and in the matrix */
  name: Slug.refine((n) => n !== 'healthy', '"healthy" is the row of the unmodified system: give the mutant another name'),
  /** the defect switch it turns on (for the partner hub: a name from lib/defects.mjs) */
  defect: Slug,
  description: z.string().optional(),
  override: ServiceOverride,
  /** names of the drills that must decide NO-GO against this mutant */
  mustFail: z.array(Slug).min(1, 'name at least one drill that must catch this mutant, e.g. [partner-429-storm]'),
});
export type Mutant = z.output<typeof Mutant>;

export const MutantsFile = z
  .strictObject({
    mutants: z.array(Mutant).min(1, 'list at least one mutant'),
  })
  .superRefine((f, ctx) => {
    const seen = new Map<string, number>();
    f.mutants.forEach((m, i) => {
      const first = seen.get(m.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['mutants', i, 'name'], message: `mutant names are unique: "${m.name}" is also mutants[${first}]` });
      else seen.set(m.name, i);
      const dup = m.mustFail.find((d, j) => m.mustFail.indexOf(d) !== j);
      if (dup) ctx.addIssue({ code: 'custom', path: ['mutants', i, 'mustFail'], message: `"${dup}" is listed twice` });
    });
  });
export type MutantsFile = z.output<typeof MutantsFile>;
