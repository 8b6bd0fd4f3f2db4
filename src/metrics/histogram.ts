// The one HDR histogram configuration of gameday: every trend (series and per-second windows)
// uses it, so that any two of them can be added exactly.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** Trend values are recorded in thousandths of their unit (µs for k6's ms). */
export const TREND_RESOLUTION = 1000;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 2 ** 36, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** A trend value (ms for k6's time metrics) as the integer the histogram records. */
export function toRecorded(value: number): number {
  return Math.max(0, Math.round(value * TREND_RESOLUTION));
}

/** Compact, lossless form of a histogram (HdrHistogram's compressed V2 encoding). */
export function encodeHistogram(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

/** A histogram decoded from `encodeHistogram`, ready to record more values. */
export function decodeHistogram(encoded: string): Histogram {
  const h = hdr.decodeFromCompressedBase64(encoded);
  h.autoResize = true;
  return h;
}
