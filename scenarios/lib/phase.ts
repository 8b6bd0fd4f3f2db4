// The phase timeline, shared by the planner (Node) and the bundled k6 script, so that the
// `phase` tag on every request and the fault schedule come from one definition.

export type PhaseName = 'steady' | 'fault' | 'recovery';

/** [startMs, endMs) from the start of load. */
export interface PhaseWindow {
  phase: PhaseName;
  startMs: number;
  endMs: number;
}

/** The phase at `tMs` after the start of load; before 0 is the first phase, past the end the last. */
export function phaseAt(windows: readonly PhaseWindow[], tMs: number): PhaseName {
  for (const w of windows) {
    if (tMs < w.endMs) return w.phase;
  }
  return windows.length ? windows[windows.length - 1].phase : 'steady';
}

/** The phase at `tMs` as phaseAt gives it, by index, with the span [fromMs, untilMs) it holds for. */
export function phaseSpan(windows: readonly PhaseWindow[], tMs: number): { index: number; fromMs: number; untilMs: number } {
  let k = 0;
  while (k < windows.length - 1 && tMs >= windows[k].endMs) k++;
  return { index: k, fromMs: k === 0 ? -Infinity : windows[k - 1].endMs, untilMs: k >= windows.length - 1 ? Infinity : windows[k].endMs };
}

/**
 * Splits [0, totalMs) into phases: steady until the first fault, fault while any fault is
 * active (overlapping faults merge), recovery from a fault's end until the next fault.
 */
export function phaseWindows(totalMs: number, faults: ReadonlyArray<{ startMs: number; endMs: number }>): PhaseWindow[] {
  const sorted = [...faults].sort((a, b) => a.startMs - b.startMs);
  const merged: Array<{ startMs: number; endMs: number }> = [];
  for (const f of sorted) {
    const last = merged[merged.length - 1];
    if (last && f.startMs <= last.endMs) last.endMs = Math.max(last.endMs, f.endMs);
    else merged.push({ startMs: f.startMs, endMs: f.endMs });
  }
  const windows: PhaseWindow[] = [];
  const push = (phase: PhaseName, startMs: number, endMs: number) => {
    const last = windows[windows.length - 1];
    if (last && last.phase === phase) last.endMs = endMs;
    else windows.push({ phase, startMs, endMs });
  };
  // recovery only follows a fault that really happened (a zero-length one does not count)
  const between = () => (windows.some((w) => w.phase === 'fault') ? 'recovery' : 'steady');
  let cursor = 0;
  for (const f of merged) {
    const start = Math.min(f.startMs, totalMs);
    const end = Math.min(f.endMs, totalMs);
    if (end <= start) continue;
    if (start > cursor) push(between(), cursor, start);
    push('fault', start, end);
    cursor = Math.max(cursor, end);
  }
  if (cursor < totalMs) push(between(), cursor, totalMs);
  return windows;
}
