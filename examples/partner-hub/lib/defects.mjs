// Defect switches of the partner hub: each one a realistic regression that an incident drill
// must catch. Switched on with the environment variable DEFECTS (comma-separated names).
// Nothing here changes behaviour by itself: server.mjs and its modules ask `defects.has(name)`.

/**
 * The catalogue. `where` says who applies the switch: 'sut' = the hub changes its own behaviour;
 * 'topology' = the drill environment must apply it (the hub only reports it).
 */
export const DEFECT_CATALOGUE = Object.freeze({
  'no-backoff': { where: 'sut', what: 'partner calls are retried immediately: no exponential backoff between attempts (Retry-After is still honoured)' },
  'ignore-retry-after': { where: 'sut', what: "the partner's Retry-After is ignored: the next attempt comes on the backoff schedule, and later requests are not held back" },
  'no-jitter': { where: 'sut', what: 'backoff delays are deterministic (base * 2^(n-1), capped) instead of full jitter: every client retries in lockstep' },
  'no-signature-check': { where: 'sut', what: 'webhooks are accepted without a valid Standard Webhooks signature (forged deliveries go through)' },
  'no-timestamp-tolerance': { where: 'sut', what: 'webhook-timestamp is not checked against the 300 s tolerance (old signed deliveries can be replayed)' },
  'no-idempotency': { where: 'sut', what: 'duplicate deliveries (same webhook-id) are applied again' },
  'no-key-retirement': { where: 'sut', what: "a partner's rotated-out webhook secret is accepted forever: the overlap never ends (a leaked old key still signs valid webhooks)" },
  'no-circuit-breaker': { where: 'sut', what: 'no circuit breaker around the partner: every /offers request keeps calling a failing partner' },
  'single-zone': {
    where: 'topology',
    what: 'every replica runs in zone a: the drill environment must place all replicas in zone a; the hub itself reports zone "a" whatever ZONE says',
  },
  'no-rate-limit': { where: 'sut', what: 'POST /login is not rate limited (a credential-stuffing source is never answered 429)' },
  'ack-before-persist': {
    where: 'sut',
    what: 'webhooks are acknowledged (200) before they are persisted or published; they wait in memory and are lost when the process dies',
  },
  'no-disk-handling': { where: 'sut', what: 'a failed write to DATA_DIR (ENOSPC) is not handled: 500 and a half-written delivery instead of 503 + Retry-After' },
});

export const KNOWN_DEFECTS = Object.freeze(Object.keys(DEFECT_CATALOGUE));

export class UnknownDefectError extends Error {
  /** @param {string[]} unknown */
  constructor(unknown) {
    super(`unknown defect${unknown.length > 1 ? 's' : ''} in DEFECTS: ${unknown.join(', ')}; known defects: ${KNOWN_DEFECTS.join(', ')}`);
    this.name = 'UnknownDefectError';
    this.unknown = unknown;
  }
}

/**
 * DEFECTS="no-backoff, no-jitter" → Set {'no-backoff', 'no-jitter'}. Empty or unset → empty set.
 * Throws UnknownDefectError naming every unknown switch.
 * @param {string | undefined} value
 * @returns {ReadonlySet<string>}
 */
export function parseDefects(value) {
  const names = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !Object.hasOwn(DEFECT_CATALOGUE, n));
  if (unknown.length > 0) throw new UnknownDefectError(unknown);
  return new Set(names);
}

/**
 * The zones a drill environment should give the replicas when `defects` are switched on:
 * 'single-zone' puts every replica in the first zone (the topology half of that switch).
 * @param {Iterable<string>} defects
 * @param {string[]} zones
 * @returns {string[]}
 */
export function zonesForDefects(defects, zones) {
  return new Set(defects).has('single-zone') && zones.length > 0 ? [zones[0]] : zones;
}
