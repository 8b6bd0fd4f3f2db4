// The one-line progress display: phase, elapsed/total, req/s, errors.

export interface ProgressState {
  phase: string;
  elapsedMs: number;
  totalMs: number;
  rps: number;
  requests: number;
  errors: number;
}

function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function formatProgress(p: ProgressState): string {
  const pct = p.requests ? ((p.errors / p.requests) * 100).toFixed(1) : '0.0';
  return `${p.phase.padEnd(8)} ${clock(p.elapsedMs)}/${clock(p.totalMs)}  ${p.rps.toFixed(0).padStart(4)} req/s  ${p.requests} requests  errors ${p.errors} (${pct}%)`;
}

/** Rewrites one line on a terminal; elsewhere (CI logs) prints a line every `everyMs`. */
export class ProgressLine {
  private lastPrint = 0;
  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly everyMs = 10_000,
  ) {}

  update(p: ProgressState): void {
    const line = formatProgress(p);
    if (this.out.isTTY) this.out.write(`\r\x1b[2K${line}`);
    else if (Date.now() - this.lastPrint >= this.everyMs) {
      this.lastPrint = Date.now();
      this.out.write(`${line}\n`);
    }
  }

  end(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}
