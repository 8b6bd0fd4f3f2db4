// The probe's consumer: a durable pull consumer with explicit acks that records every delivery
// of a probe message (its sequence number n, the stream sequence, the redelivered flag).
import type { Consumer, JetStreamClient } from 'nats';
import { RUN_HEADER, SEQ_HEADER } from './sequence-publisher.ts';
import { sleep } from '../../src/platform/poll.ts';

export interface Delivery {
  n: number;
  streamSeq: number;
  redelivered: boolean;
  atMono: number;
}

export interface SequenceConsumerOptions {
  js: JetStreamClient;
  stream: string;
  durable: string;
  runId: string;
  /** messages per pull (default 256) */
  batch?: number;
  /** how long one pull waits on the server (default 1000 ms) */
  expiresMs?: number;
}


export class SequenceConsumer {
  readonly deliveries: Delivery[] = [];
  /** distinct sequence numbers delivered */
  readonly seen = new Set<number>();
  /** pulls that failed (no consumer leader, connection moving): expected during a failover */
  failedPulls = 0;
  lastError: string | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;

  constructor(private readonly opts: SequenceConsumerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends after the pull in flight (at most `expiresMs` plus the client's margin). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const { js, stream, durable, runId } = this.opts;
    const batch = this.opts.batch ?? 256;
    const expires = this.opts.expiresMs ?? 1000;
    let consumer: Consumer | null = null;
    while (!this.stopped) {
      try {
        consumer ??= await js.consumers.get(stream, durable);
        const messages = await consumer.fetch({ max_messages: batch, expires });
        for await (const m of messages) {
          const seq = m.headers?.get(SEQ_HEADER);
          if (m.headers?.get(RUN_HEADER) === runId && seq) {
            this.deliveries.push({ n: Number(seq), streamSeq: m.seq, redelivered: m.redelivered, atMono: performance.now() });
            this.seen.add(Number(seq));
          }
          m.ack();
        }
      } catch (err) {
        this.failedPulls++;
        this.lastError = err instanceof Error ? err.message : String(err);
        if (/consumer not found|consumer deleted/i.test(this.lastError)) consumer = null;
        await sleep(200);
      }
    }
  }
}
