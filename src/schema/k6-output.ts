// One line of k6's JSON output (`k6 run --out json=FILE`, NDJSON): a metric declaration or a
// sample. src/metrics reads the usual Point lines without this schema (a fast path that accepts
// exactly what JSON.parse + this schema accept); every other line is parsed and checked here.
import { z } from 'zod';

/** {"type":"Metric","data":{"name":..,"type":"trend",...},"metric":"http_req_duration"} */
export const K6MetricLine = z.looseObject({
  type: z.literal('Metric'),
  metric: z.string(),
  data: z.looseObject({ type: z.enum(['trend', 'rate', 'counter', 'gauge']) }),
});

/** {"metric":"http_req_duration","type":"Point","data":{"time":"<RFC 3339>","value":2.08,"tags":{...}}} */
export const K6PointLine = z.looseObject({
  type: z.literal('Point'),
  metric: z.string(),
  data: z.looseObject({
    time: z.string(),
    value: z.number(),
    /** tag name → value; k6 writes strings (older versions write null for no tags) */
    tags: z.unknown().optional(),
  }),
});

export const K6OutputLine = z.discriminatedUnion('type', [K6MetricLine, K6PointLine]);
export type K6OutputLine = z.output<typeof K6OutputLine>;
