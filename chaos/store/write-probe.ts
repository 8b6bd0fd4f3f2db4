// A sequence-numbered write probe through Sentinel, the way an application writes: an ioredis
// client that asks the sentinels for the primary and follows a failover. Every attempt RPUSHes its
// own sequence number to one list; what was acknowledged, when, and by which port is kept, so the
// failover's unavailability and its acknowledged-but-lost writes come from the data.
import { Redis } from 'ioredis';
import { sleep } from '../../src/platform/poll.ts';

export interface ProbeWrite {
  seq: number;
  /** performance.now() when the write was sent */
  sentMono: number;
  /** performance.now() of the acknowledgement, null when it failed */
  ackMono: number | null;
  /** the port of the primary that acknowledged it */
  port: number | null;
}

/** What the probe's writes show once the final list is read back from the primary. Pure. */
export interface WriteAnalysis {
  attempted: number;
  acknowledged: number;
  failed: number;
  /** acknowledged, then missing from the primary's list: the failover lost them */
  lost: number;
  lostSequences: number[];
  /** not acknowledged (the reply was lost), yet applied */
  appliedWithoutAck: number;
  /** sequence numbers present more than once */
  duplicates: number;
}

export function analyseWrites(writes: readonly ProbeWrite[], finalList: readonly string[]): WriteAnalysis {
  const counts = new Map<number, number>();
  for (const v of finalList) counts.set(Number(v), (counts.get(Number(v)) ?? 0) + 1);
  const acked = writes.filter((w) => w.ackMono !== null);
  const lostSequences = acked.filter((w) => !counts.has(w.seq)).map((w) => w.seq);
  return {
    attempted: writes.length,
    acknowledged: acked.length,
    failed: writes.length - acked.length,
    lost: lostSequences.length,
    lostSequences: lostSequences.slice(0, 50),
    appliedWithoutAck: writes.filter((w) => w.ackMono === null && counts.has(w.seq)).length,
    duplicates: [...counts.values()].filter((c) => c > 1).length,
  };
}

export interface WriteProbeOptions {
  sentinelPorts: readonly number[];
  masterName: string;
  /** the list written to */
  key: string;
  /** pause between two writes (default 20 ms) */
  intervalMs?: number;
  /** one write's timeout (default 500 ms) */
  attemptTimeoutMs?: number;
  /** the probe stops by itself after this many writes (default 20 000) */
  maxWrites?: number;
}

export class WriteProbe {
  readonly writes: ProbeWrite[] = [];
  private readonly client: Redis;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly o: WriteProbeOptions) {
    this.client = new Redis({
      sentinels: o.sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
      name: o.masterName,
      role: 'master',
      // fail fast while there is no primary: the probe retries with its next sequence number
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.attemptTimeoutMs ?? 500,
      connectTimeout: 1000,
      retryStrategy: () => 50,
      sentinelRetryStrategy: () => 50,
      // listens to the sentinels' +switch-master instead of waiting for the next reconnect
      failoverDetector: true,
    });
    this.client.on('error', () => {}); // every failed write is recorded; connection errors are expected during the fault
  }

  /** Resolves once the first write is acknowledged. */
  async start(timeoutMs = 10_000): Promise<void> {
    this.running = true;
    this.loop = this.run();
    const deadline = performance.now() + timeoutMs;
    while (!this.writes.some((w) => w.ackMono !== null)) {
      if (performance.now() > deadline || !this.running) throw new Error(`the write probe got no acknowledgement from "${this.o.masterName}" within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  private async run(): Promise<void> {
    const max = this.o.maxWrites ?? 20_000;
    while (this.running && this.writes.length < max) {
      const w: ProbeWrite = { seq: this.writes.length + 1, sentMono: performance.now(), ackMono: null, port: null };
      this.writes.push(w);
      try {
        await this.client.rpush(this.o.key, String(w.seq));
        w.ackMono = performance.now();
        w.port = this.client.stream?.remotePort ?? null;
      } catch {
        // recorded as not acknowledged
      }
      await sleep(this.o.intervalMs ?? 20);
    }
    this.running = false;
  }

  /** The first acknowledgement of a write sent at or after `sinceMono`. */
  firstAckSince(sinceMono: number): ProbeWrite | null {
    return this.writes.find((w) => w.sentMono >= sinceMono && w.ackMono !== null) ?? null;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.client.disconnect();
  }
}
