// k6 execution segments: N k6 processes that share one load exactly; their samples merge into
// one verdict (HDR histograms merge without loss).

export interface SegmentFiles {
  args: string[];
  samples: string;
  summary: string;
  stderr: string;
}

/** File names and k6 arguments of each execution segment (one plain k6 run when n = 1). */
export function segmentFiles(n: number): SegmentFiles[] {
  if (n <= 1) return [{ args: [], samples: 'k6_samples.ndjson.gz', summary: 'k6_summary.json', stderr: 'k6_stderr.log' }];
  const sequence = Array.from({ length: n + 1 }, (_, i) => (i === 0 ? '0' : i === n ? '1' : `${i}/${n}`)).join(',');
  return Array.from({ length: n }, (_, i) => {
    const tag = `seg${i + 1}of${n}`;
    const from = i === 0 ? '0' : `${i}/${n}`;
    const to = i + 1 === n ? '1' : `${i + 1}/${n}`;
    return {
      args: ['--execution-segment', `${from}:${to}`, '--execution-segment-sequence', sequence],
      samples: `k6_samples.${tag}.ndjson.gz`,
      summary: `k6_summary.${tag}.json`,
      stderr: `k6_stderr.${tag}.log`,
    };
  });
}
