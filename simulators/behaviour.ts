// A partner's behaviour timeline, as data: which answer it gives at which point of the drill.

export interface PlannedBehaviour {
  /** from the start of load, already time-scaled */
  atMs: number;
  status: number;
  /** Retry-After in seconds, sent with this answer */
  retryAfter?: number;
  /** time before answering */
  latencyMs: number;
  body?: unknown;
}

export interface PlannedPartner {
  name: string;
  behaviours: PlannedBehaviour[];
}

/** The behaviour a partner shows `tMs` after the start of load (behaviours sorted by atMs). */
export function behaviourAt(partner: PlannedPartner, tMs: number): PlannedBehaviour {
  let current = partner.behaviours[0];
  for (const b of partner.behaviours) {
    if (b.atMs <= tMs) current = b;
    else break;
  }
  return current;
}
