import { z } from 'zod';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** "500ms", "30s", "2m", "1h" or "1m30s" → milliseconds; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const parts = text.trim().match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g);
  if (!parts || parts.join('') !== text.trim()) return null;
  let total = 0;
  for (const part of parts) {
    const m = DURATION_RE.exec(part)!;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return total;
}

/** A duration in a drill: a string like "30s" / "1m30s" / "250ms", or a number of milliseconds. Parsed to ms. */
export const Duration = z
  .union([z.number().nonnegative(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const ms = parseDuration(value);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: write e.g. "250ms", "30s", "2m" or "1m30s"` });
      return z.NEVER;
    }
    return ms;
  });

/** Renders milliseconds the way k6 accepts them ("1500ms"). */
export function k6Duration(ms: number): string {
  return `${Math.max(0, Math.round(ms))}ms`;
}
