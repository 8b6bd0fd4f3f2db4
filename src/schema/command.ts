// Command actions (Chaos Toolkit's "process action"): the steps of a `driver: command` fault.
// The schema lives with the model so the fault registry can give it to the drill; chaos/command.ts runs it.
import { z } from 'zod';
import { Duration } from './duration.ts';

export const CommandStep = z
  .object({
    /** the program and its arguments; run in the drill's folder */
    argv: z.array(z.string().min(1)).min(1),
    /** killed (SIGKILL) past this, and the step counts as failed; not time-scaled */
    timeout: Duration.refine((ms) => ms > 0, 'a timeout above 0').default(30_000),
    /** run argv joined through /bin/sh -c; off unless asked for */
    shell: z.boolean().default(false),
  })
  .strict();
export type CommandStep = z.infer<typeof CommandStep>;

export const CommandAction = z.object({ inject: CommandStep, verify: CommandStep.optional(), revert: CommandStep }).strict();
export type CommandAction = z.infer<typeof CommandAction>;
