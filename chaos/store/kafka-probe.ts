// The Kafka write probe, the way an application that must not lose or repeat a write produces:
// the official Java client (GamedayKafka probe) with enable.idempotence=true and acks=all, one
// record per interval carrying its sequence number, each send and acknowledgement a JSON line with
// its wall-clock time. Stopped, it flushes and reads the topic back from its first offset, so loss
// (acknowledged, not read back) and duplication (read back twice) come from the data.
import type { KafkaRuntime } from './kafka-runtime.ts';
import { readJsonLines, spawnKafkaTool } from './kafka-tool.ts';
import type { ProbeWrite } from './write-probe.ts';
import type { ManagedProcess, ProcessGroup } from '../../src/platform/processes.ts';
import { signalGroup } from '../../src/platform/processes.ts';
import { sleep, withTimeout } from '../../src/platform/poll.ts';

export interface KafkaProbeOptions {
  group: ProcessGroup;
  runtime: KafkaRuntime;
  bootstrap: string;
  topic: string;
  /** pause between two sends (default 20 ms) */
  intervalMs?: number;
  /** the probe stops by itself after this many writes (default 20 000) */
  maxWrites?: number;
  /** how long the client retries one write before it gives up on it (default 60 s) */
  deliveryTimeoutMs?: number;
  /** the Java client's own log (INFO: disconnects, retries, leader changes it saw) */
  logFile?: string;
}

/**
 * The Java program's wall clock (epoch ms) on this process's performance.now() scale, through the
 * wall clock read now (not performance.timeOrigin, from which the wall clock drifts over a long run).
 */
const monoOf = (epochMs: number) => epochMs - Date.now() + performance.now();

export class KafkaProbe {
  readonly writes: ProbeWrite[] = [];
  /** why writes failed, the distinct messages with their counts */
  readonly failures = new Map<string, number>();
  private proc: ManagedProcess | null = null;
  private read: Promise<void> = Promise.resolve();
  private readBack: string[] | null = null;
  private error: string | null = null;
  private stderr = '';

  constructor(private readonly o: KafkaProbeOptions) {}

  /** Resolves once the first write is acknowledged. */
  async start(timeoutMs = 60_000): Promise<void> {
    const o = this.o;
    this.proc = spawnKafkaTool(o.group, o.runtime, `kafka probe ${o.topic}`, ['probe', '--bootstrap', o.bootstrap, '--topic', o.topic, '--interval-ms', String(o.intervalMs ?? 20), '--max-writes', String(o.maxWrites ?? 20_000), '--delivery-timeout-ms', String(o.deliveryTimeoutMs ?? 60_000)], {}, o.logFile);
    this.proc.child.stderr!.on('data', (c) => (this.stderr = (this.stderr + c).slice(-4000)));
    this.proc.child.stdin!.on('error', () => {}); // a probe that died is reported by what it did not answer
    this.read = readJsonLines(this.proc, (msg) => this.onMessage(msg));
    const deadline = performance.now() + timeoutMs;
    while (!this.writes.some((w) => w.ackMono !== null)) {
      if (this.error || this.proc.exit || performance.now() > deadline) {
        await this.kill();
        throw new Error(`the Kafka probe got no acknowledgement from ${o.topic} within ${timeoutMs} ms: ${this.error ?? this.stderr.trim().split('\n').slice(-5).join('\n')}`);
      }
      await sleep(20);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    const seq = Number(msg.seq);
    switch (msg.t) {
      case 'send':
        this.writes[seq - 1] = { seq, sentMono: monoOf(Number(msg.at)), ackMono: null, port: null };
        break;
      case 'ack':
        if (this.writes[seq - 1]) this.writes[seq - 1].ackMono = monoOf(Number(msg.at));
        break;
      case 'fail': {
        const why = String(msg.error).split(':')[0];
        this.failures.set(why, (this.failures.get(why) ?? 0) + 1);
        break;
      }
      case 'read':
        this.readBack = (msg.seqs as number[]).map(String);
        break;
      case 'error':
        this.error = String(msg.message);
        break;
    }
  }

  /** The first acknowledgement of a write sent at or after `sinceMono` (performance.now()). */
  firstAckSince(sinceMono: number): ProbeWrite | null {
    return this.writes.find((w) => w && w.sentMono >= sinceMono && w.ackMono !== null) ?? null;
  }

  /** Stops sending, waits for every answer and the read-back: the sequence numbers in the topic, in offset order. */
  async stop(timeoutMs = 120_000): Promise<string[]> {
    const p = this.proc;
    if (!p) return [];
    if (!p.exit) p.child.stdin!.end('stop\n');
    const done = await withTimeout(Promise.all([p.exited, this.read]), timeoutMs);
    if (done === null) await this.kill();
    if (this.readBack === null) throw new Error(`the Kafka probe did not read ${this.o.topic} back${done === null ? ` within ${timeoutMs} ms` : ''}: ${this.error ?? this.stderr.trim().split('\n').slice(-5).join('\n')}`);
    return this.readBack;
  }

  private async kill(): Promise<void> {
    if (this.proc && !this.proc.exit) {
      signalGroup(this.proc.child, 'SIGKILL');
      await this.proc.exited;
    }
  }
}
