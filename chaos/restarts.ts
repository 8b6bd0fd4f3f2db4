// A pod-kill with restartAfter: the deployment brings the replica back on its own after a delay.
// The restarts are scheduled per fault; reverting a fault cancels the ones not yet due and waits
// for those under way, then only makes sure the replicas are back.

export class DeferredRestarts {
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  private readonly pending = new Set<Promise<unknown>>();

  /** After `afterMs`, each restart runs (its failure is left to the revert to find). */
  schedule(fault: string, afterMs: number, restarts: ReadonlyArray<() => Promise<unknown>>): void {
    const timers = restarts.map((restart) =>
      setTimeout(() => {
        const p = restart().catch(() => undefined);
        this.pending.add(p);
        void p.finally(() => this.pending.delete(p));
      }, afterMs),
    );
    this.timers.set(fault, timers);
  }

  /** No restart of `fault` starts any more; those under way have finished. */
  async settle(fault: string): Promise<void> {
    for (const t of this.timers.get(fault) ?? []) clearTimeout(t);
    this.timers.delete(fault);
    await Promise.all([...this.pending]);
  }
}
