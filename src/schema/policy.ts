// The release policy a decision is made under: per-SLO severity overrides, waivers with an
// owner and an expiry, and how a run is compared with earlier GO runs (baseline). One schema for
// the policy file (YAML or JSON) and for a `policy` block in a drill.
import { z } from 'zod';
import { Ratio } from './drill.ts';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * When a waiver stops applying. A date ("2026-12-31") means through the end of that day, UTC;
 * a date-time ("2026-12-31T17:00:00Z") is exact.
 */
const Expiry = z.union([z.string(), z.date()]).transform((value, ctx) => {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'not a valid date: write e.g. "2026-12-31"' });
      return z.NEVER;
    }
    return { text: value.toISOString(), atMs: value.getTime() };
  }
  const text = value.trim();
  if (DATE_ONLY.test(text)) {
    const [y, m, d] = text.split('-').map(Number);
    const start = Date.UTC(y, m - 1, d);
    const check = new Date(start);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a calendar date: write e.g. "2026-12-31"` });
      return z.NEVER;
    }
    return { text, atMs: start + 86_400_000 };
  }
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date: write "2026-12-31" (through that day, UTC) or "2026-12-31T17:00:00Z"` });
    return z.NEVER;
  }
  return { text, atMs: ms };
});

export const Waiver = z.strictObject({
  /** the SLO's name (a baseline verdict: "baseline:<slo>") */
  slo: z.string().min(1, 'name the SLO the waiver is for'),
  /** who accepted the risk: a person or a team, reachable */
  owner: z.string().trim().min(1, 'a waiver needs an owner: who accepted the risk'),
  /** why it is acceptable, e.g. the ticket that fixes it */
  reason: z.string().trim().min(1, 'a waiver needs a reason, e.g. the ticket that fixes the breach'),
  expires: Expiry,
});
export type Waiver = z.output<typeof Waiver>;

export const Severity = z.enum(['blocking', 'advisory']);

export const BaselinePolicy = z.strictObject({
  /** how many of the latest GO runs of the same drill make the baseline */
  runs: z.number().int().min(1).max(100).default(5),
  /** worse than the baseline median by more than this share is a regression: 0.1 or "10%" */
  maxRegression: Ratio.default(0.1),
  /** what a regression does to the decision */
  severity: Severity.default('advisory'),
});
export type BaselinePolicy = z.output<typeof BaselinePolicy>;

export const Policy = z.strictObject({
  /** per SLO name: blocking or advisory, overriding the drill's severity */
  slos: z.record(z.string(), Severity).default({}),
  waivers: z.array(Waiver).default([]),
  baseline: BaselinePolicy.default({ runs: 5, maxRegression: 0.1, severity: 'advisory' }),
});
export type PolicyInput = z.input<typeof Policy>;
export type Policy = z.output<typeof Policy>;
