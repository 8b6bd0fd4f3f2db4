// Token-bucket rate limiting: one bucket per client key (x-client-id, else the remote address)
// and optionally one global bucket shared by every client. A refused request gets 429 with
// Retry-After = whole seconds until a token is there again.

export class TokenBucket {
  /** @param {number} ratePerSec tokens added per second  @param {number} burst capacity  @param {number} now ms */
  constructor(ratePerSec, burst, now) {
    this.rate = ratePerSec;
    this.burst = burst;
    this.tokens = burst;
    this.updated = now;
  }

  refill(now) {
    if (now > this.updated) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.updated) / 1000) * this.rate);
      this.updated = now;
    }
  }

  /** Takes one token if there is one. */
  take(now) {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }

  /** ms until one token is available */
  waitMs(now) {
    this.refill(now);
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.rate) * 1000;
  }
}

/**
 * @param {{ perClientRps: number, burst: number, globalRps?: number, globalBurst?: number, enabled?: boolean, maxClients?: number, now?: () => number }} o
 */
export function createRateLimiter(o) {
  const now = o.now ?? Date.now;
  const enabled = o.enabled ?? true;
  const maxClients = o.maxClients ?? 10_000;
  /** @type {Map<string, TokenBucket>} in insertion (least recently used first) order */
  const clients = new Map();
  const global = o.globalRps ? new TokenBucket(o.globalRps, o.globalBurst ?? o.globalRps, now()) : null;
  const counters = { allowed: 0, limited: 0, limitedGlobal: 0 };
  /** @type {Map<string, number>} refusals per client key (bounded) */
  const limitedBy = new Map();

  function bucketFor(key, t) {
    let bucket = clients.get(key);
    if (bucket) {
      clients.delete(key); // move to the back: most recently used
    } else {
      bucket = new TokenBucket(o.perClientRps, o.burst, t);
      if (clients.size >= maxClients) clients.delete(clients.keys().next().value);
    }
    clients.set(key, bucket);
    return bucket;
  }

  /**
   * @param {string} key
   * @returns {{ allowed: true } | { allowed: false, retryAfterS: number, scope: 'client' | 'global' }}
   */
  function check(key) {
    if (!enabled) {
      counters.allowed++;
      return { allowed: true };
    }
    const t = now();
    const bucket = bucketFor(key, t);
    if (!bucket.take(t)) return refuse(key, bucket.waitMs(t), 'client');
    if (global && !global.take(t)) {
      bucket.tokens += 1; // not this client's fault: give its token back
      return refuse(key, global.waitMs(t), 'global');
    }
    counters.allowed++;
    return { allowed: true };
  }

  function refuse(key, waitMs, scope) {
    counters.limited++;
    if (scope === 'global') counters.limitedGlobal++;
    if (limitedBy.has(key) || limitedBy.size < 1000) limitedBy.set(key, (limitedBy.get(key) ?? 0) + 1);
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)), scope };
  }

  return {
    check,
    snapshot: () => ({
      enabled,
      perClientRps: o.perClientRps,
      burst: o.burst,
      globalRps: o.globalRps ?? null,
      ...counters,
      clients: clients.size,
      limitedBy: Object.fromEntries(limitedBy),
    }),
  };
}
