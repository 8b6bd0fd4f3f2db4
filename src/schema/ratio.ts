// A ratio as a drill writes it: 0.02 or "2%" (SLO objectives, guard thresholds).
import { z } from 'zod';

/** A ratio: 0.02 or "2%". */
export const Ratio = z.union([z.number(), z.string()]).transform((value, ctx) => {
  // "99.9%" → Number("99.9e-2"): one correctly rounded parse (99.9 / 100 is 0.9990000000000001)
  const n = typeof value === 'number' ? value : /^\d+(\.\d+)?%$/.test(value.trim()) ? Number(`${value.trim().slice(0, -1)}e-2`) : NaN;
  if (!(n >= 0 && n <= 1)) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a ratio: write a number from 0 to 1 (0.02) or a percentage ("2%")` });
    return z.NEVER;
  }
  return n;
});
