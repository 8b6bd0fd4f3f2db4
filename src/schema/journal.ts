// The simulator journal (simulator_journal.ndjson): one line per exchange — a request a partner
// simulator answered, or a webhook delivery attempt the sender made and the SUT's answer.
import { z } from 'zod';

export const JOURNAL_SOURCES = ['partner', 'webhook-sender'] as const;

export const JournalEntry = z.object({
  /** wall clock when the request arrived (partner) or was sent (sender), ISO 8601 */
  time: z.string(),
  /** monotonic ms (performance.now) of the recording process at the same instant, for gaps between attempts */
  mono: z.number(),
  source: z.enum(JOURNAL_SOURCES).default('partner'),
  /** the partner simulated, or whose webhooks the sender delivers */
  partner: z.string(),
  method: z.string(),
  path: z.string(),
  /** the route that answered (partner), null when none matched */
  route: z.string().nullable().default(null),
  /** logical call id sent by the client (x-request-id), if any */
  requestId: z.string().nullable(),
  /** attempt number sent by the client (x-attempt) or made by the sender, if any */
  attempt: z.number().int().nullable(),
  /** idempotency-key header, if any */
  idempotencyKey: z.string().nullable().default(null),
  /** webhook-id / x-github-delivery of a webhook, if any */
  webhookId: z.string().nullable().default(null),
  /** the sender's id of one logical delivery (all its attempts), if any */
  callId: z.string().nullable().default(null),
  /** SHA-256 (hex) of the request body, when it had one */
  bodyHash: z.string().nullable().default(null),
  /** x-client-id, else the remote address */
  clientKey: z.string().nullable().default(null),
  /** HTTP status answered; null when none was (hang, reset, network error) */
  status: z.number().int().nullable(),
  /** Retry-After answered, in seconds */
  retryAfter: z.number().nullable(),
  /** Retry-After answered as an HTTP-date: that instant, epoch ms */
  retryAfterUntil: z.number().nullable().default(null),
  /** index of the behaviour that answered in its route's timeline; -1 for a control-API override */
  behaviour: z.number().int(),
  /** kind of that behaviour */
  kind: z.string().nullable().default(null),
  /** how the exchange ended: answered, hang, reset, closed-mid-body, truncated, dribbled, client-closed, no-route, network-error */
  outcome: z.string().default('answered'),
  /** from `mono` until the answer was complete (or the exchange ended) */
  durationMs: z.number().nonnegative().default(0),
  /** webhook variant delivered (valid, wrong-secret, ...) */
  variant: z.string().nullable().default(null),
  error: z.string().nullable().default(null),
});

/** A journal line as written (every field present). */
export type JournalEntry = z.output<typeof JournalEntry>;
