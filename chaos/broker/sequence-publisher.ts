// A sequence-numbered probe publisher: message n carries n (header and body) and the msgID
// "<runId>-<n>" so that JetStream deduplicates retries. A message is retried (bounded) until the
// send strategy resolves; the default strategy resolves only on the broker's PubAck.
import { headers, type JetStreamClient, type MsgHdrs, type NatsConnection } from 'nats';
import { sleep } from '../../src/platform/poll.ts';

export const SEQ_HEADER = 'Gameday-Probe-Seq';
export const RUN_HEADER = 'Gameday-Probe-Run';

export interface ProbeMessage {
  subject: string;
  n: number;
  msgID: string;
  /** fresh headers for this attempt (carry n and the run id) */
  headers: MsgHdrs;
  payload: Uint8Array;
  /** per-attempt PubAck timeout */
  timeoutMs: number;
}

export interface SendOutcome {
  /** the broker's PubAck, or null when the strategy treated the message as sent without one */
  pubAck: { seq: number; duplicate: boolean } | null;
}

/** Sends one probe message. Resolving = "sent" as far as the publisher is concerned; throwing = retry. */
export type ProbeSend = (msg: ProbeMessage, conn: { nc: NatsConnection; js: JetStreamClient }) => Promise<SendOutcome>;

/** The correct strategy: JetStream publish with msgID, sent only once the PubAck is in. */
export const sendWithPubAck: ProbeSend = async (msg, { js }) => {
  const ack = await js.publish(msg.subject, msg.payload, { msgID: msg.msgID, headers: msg.headers, timeout: msg.timeoutMs });
  return { pubAck: { seq: ack.seq, duplicate: ack.duplicate } };
};

export interface PublishRecord {
  n: number;
  /** performance.now() of the first attempt */
  firstAttemptMono: number;
  attempts: number;
  /** performance.now() when the attempt that succeeded started */
  sentAttemptMono: number | null;
  /** performance.now() when the send resolved */
  sentMono: number | null;
  confirmed: boolean;
  streamSeq: number | null;
  duplicate: boolean;
  lastError: string | null;
}

export interface SequencePublisherOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  subject: string;
  runId: string;
  send?: ProbeSend;
  /** pause after each sent message (default 20 ms: about 50 messages/s) */
  intervalMs?: number;
  /** pause after a failed attempt (default 100 ms) */
  retryDelayMs?: number;
  /** PubAck timeout of one attempt (default 2000 ms) */
  attemptTimeoutMs?: number;
  /** a message is given up (published, never acknowledged) after this long (default 45 s) */
  giveUpAfterMs?: number;
  /** hard bound on the number of messages (default 20 000) */
  maxMessages?: number;
}

const encoder = new TextEncoder();

export class SequencePublisher {
  readonly records: PublishRecord[] = [];
  private stopped = false;
  private loop: Promise<void> | null = null;
  private readonly waiters: Array<{ afterMono: number; resolve: (r: PublishRecord) => void }> = [];

  constructor(private readonly opts: SequencePublisherOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the attempt in flight (a message still failing is given up); resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Resolves with the first message confirmed by a PubAck whose successful attempt started after `afterMono`. */
  firstConfirmedAfter(afterMono: number): Promise<PublishRecord> {
    const found = this.records.find((r) => r.confirmed && r.sentAttemptMono !== null && r.sentAttemptMono >= afterMono);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => this.waiters.push({ afterMono, resolve }));
  }

  get sentCount(): number {
    return this.records.filter((r) => r.sentMono !== null).length;
  }

  private async run(): Promise<void> {
    const { nc, js, subject, runId } = this.opts;
    const send = this.opts.send ?? sendWithPubAck;
    const intervalMs = this.opts.intervalMs ?? 20;
    const retryDelayMs = this.opts.retryDelayMs ?? 100;
    const timeoutMs = this.opts.attemptTimeoutMs ?? 2000;
    const giveUpAfterMs = this.opts.giveUpAfterMs ?? 45_000;
    const maxMessages = this.opts.maxMessages ?? 20_000;
    for (let n = 1; n <= maxMessages && !this.stopped; n++) {
      const record: PublishRecord = {
        n,
        firstAttemptMono: performance.now(),
        attempts: 0,
        sentAttemptMono: null,
        sentMono: null,
        confirmed: false,
        streamSeq: null,
        duplicate: false,
        lastError: null,
      };
      this.records.push(record);
      while (performance.now() - record.firstAttemptMono < giveUpAfterMs) {
        record.attempts++;
        const hdrs = headers();
        hdrs.set(SEQ_HEADER, String(n));
        hdrs.set(RUN_HEADER, runId);
        const attemptMono = performance.now();
        try {
          const outcome = await send(
            { subject, n, msgID: `${runId}-${n}`, headers: hdrs, payload: encoder.encode(JSON.stringify({ run: runId, n })), timeoutMs },
            { nc, js },
          );
          record.sentAttemptMono = attemptMono;
          record.sentMono = performance.now();
          record.confirmed = outcome.pubAck !== null;
          record.streamSeq = outcome.pubAck?.seq ?? null;
          record.duplicate = outcome.pubAck?.duplicate ?? false;
          break;
        } catch (err) {
          record.lastError = err instanceof Error ? err.message : String(err);
          if (nc.isClosed() || this.stopped) break;
          await sleep(retryDelayMs);
        }
      }
      if (record.confirmed) this.notify(record);
      await sleep(intervalMs);
    }
  }

  private notify(record: PublishRecord): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i];
      if (record.sentAttemptMono !== null && record.sentAttemptMono >= w.afterMono) {
        this.waiters.splice(i, 1);
        w.resolve(record);
      }
    }
  }
}
