// A circuit breaker around one dependency (the partner API):
//   closed    → calls go through; `failureThreshold` consecutive failures open it
//   open      → calls are refused at once (the caller serves its fallback) for `cooldownMs`
//   half-open → after the cool-down one probe call goes through: success closes, failure re-opens
// A call is counted by the caller: success() or failure() once per attempt that reached the partner.

export class CircuitBreaker {
  /**
   * @param {{ failureThreshold?: number, cooldownMs?: number, now?: () => number, enabled?: boolean }} [opts]
   */
  constructor(opts = {}) {
    this.failureThreshold = opts.failureThreshold ?? 5;
    this.cooldownMs = opts.cooldownMs ?? 5000;
    this.now = opts.now ?? Date.now;
    /** disabled (the no-circuit-breaker defect): always closed, never refuses */
    this.enabled = opts.enabled ?? true;
    /** @type {'closed' | 'open' | 'half-open'} */
    this.state = 'closed';
    this.consecutiveFailures = 0;
    this.openedAt = 0;
    this.probeInFlight = false;
    this.counters = { opened: 0, halfOpened: 0, closed: 0, rejected: 0, failures: 0, successes: 0 };
    /** @type {Array<{ at: string, from: string, to: string }>} the last transitions */
    this.transitions = [];
  }

  /** @param {'closed' | 'open' | 'half-open'} to */
  transition(to) {
    if (this.state === to) return;
    this.transitions.push({ at: new Date(this.now()).toISOString(), from: this.state, to });
    if (this.transitions.length > 50) this.transitions.shift();
    this.state = to;
    if (to === 'open') {
      this.counters.opened++;
      this.openedAt = this.now();
    } else if (to === 'half-open') this.counters.halfOpened++;
    else this.counters.closed++;
  }

  /**
   * May a call go to the dependency now? `probe` is true for the single half-open trial call.
   * @returns {{ allowed: boolean, probe: boolean }}
   */
  acquire() {
    if (!this.enabled) return { allowed: true, probe: false };
    if (this.state === 'open' && this.now() - this.openedAt >= this.cooldownMs) this.transition('half-open');
    if (this.state === 'closed') return { allowed: true, probe: false };
    if (this.state === 'half-open' && !this.probeInFlight) {
      this.probeInFlight = true;
      return { allowed: true, probe: true };
    }
    this.counters.rejected++;
    return { allowed: false, probe: false };
  }

  success() {
    this.counters.successes++;
    this.consecutiveFailures = 0;
    this.probeInFlight = false;
    if (this.enabled && this.state !== 'closed') this.transition('closed');
  }

  failure() {
    this.counters.failures++;
    this.consecutiveFailures++;
    this.probeInFlight = false;
    if (!this.enabled) return;
    if (this.state === 'half-open' || (this.state === 'closed' && this.consecutiveFailures >= this.failureThreshold)) this.transition('open');
  }

  /** The probe ended without an answer either way (e.g. the caller gave up before calling). */
  release() {
    this.probeInFlight = false;
  }

  snapshot() {
    return {
      enabled: this.enabled,
      state: this.state,
      /** while open: ms until the next call is let through as the half-open probe */
      probeInMs: this.state === 'open' ? Math.max(0, this.cooldownMs - (this.now() - this.openedAt)) : null,
      consecutiveFailures: this.consecutiveFailures,
      failureThreshold: this.failureThreshold,
      cooldownMs: this.cooldownMs,
      ...this.counters,
      transitions: [...this.transitions],
    };
  }
}
