// Redis failover, for real: while a sequence-numbered probe writes through Sentinel, SIGKILL the
// primary; the failover time is kill → the first acknowledged write sent after the primary's
// process had exited (on the new primary), set beside the moment Sentinel's own log says it
// switched (+switch-master). Revert: start the old primary again and wait until the sentinels see
// every replica linked (it rejoins as a replica). Loss: acknowledged writes missing afterwards.
import fs from 'node:fs';
import { Redis } from 'ioredis';
import { firstSwitchAfter } from './sentinel-log.ts';
import type { KilledRedisNode, RedisSentinelSet } from './redis-sentinel.ts';
import { analyseWrites, WriteProbe, type WriteAnalysis } from './write-probe.ts';
import { sleep } from '../../src/platform/poll.ts';

export interface RedisFailoverReport extends WriteAnalysis {
  fault: 'store-failover';
  kind: 'redis-sentinel';
  masterName: string;
  primaryBefore: string;
  killed: string | null;
  killedPid: number | null;
  signal: 'SIGKILL';
  killedAt: string | null;
  newPrimary: string | null;
  /** the first +switch-master any sentinel logged after the kill */
  switchMasterAt: string | null;
  /** kill → Sentinel's +switch-master (its log, millisecond clock) */
  switchMasterMs: number | null;
  firstWriteAt: string | null;
  /** kill → first acknowledged write sent after the primary had exited: the failover time */
  failoverMs: number | null;
  /** the old primary back and every replica linked again */
  rejoined: boolean;
}

export interface RedisFailoverOptions {
  set: RedisSentinelSet;
  /** names the probe's list */
  runId: string;
  intervalMs?: number;
  /** writes before the kill (default 1000 ms) */
  warmupMs?: number;
  /** how long the old primary may take to rejoin (default 30 s) */
  rejoinTimeoutMs?: number;
}

export class RedisFailover {
  private probe: WriteProbe | null = null;
  private killed: KilledRedisNode | null = null;
  private primaryBefore = '';
  private readonly key: string;

  constructor(private readonly o: RedisFailoverOptions) {
    this.key = `gameday:probe:${o.runId}`;
  }

  /** Starts the probe and kills the primary; Sentinel's failover and the probe go on from there. */
  async inject(): Promise<KilledRedisNode> {
    const { set } = this.o;
    this.probe = new WriteProbe({ sentinelPorts: set.sentinelPorts, masterName: set.masterName, key: this.key, intervalMs: this.o.intervalMs });
    await this.probe.start();
    await sleep(this.o.warmupMs ?? 1000);
    const primary = await set.primary();
    this.primaryBefore = `${primary.host}:${primary.port}`;
    this.killed = await set.killNode(set.nodeAt(primary.port).name);
    return this.killed;
  }

  /** Starts the old primary again, stops the probe, reads the list back and says what happened. */
  async revert(): Promise<RedisFailoverReport> {
    const { set } = this.o;
    const killed = this.killed;
    let rejoined = false;
    if (killed) {
      // back as a replica of the primary the sentinels name now (Sentinel itself would reconfigure it
      // only at its next 10-s INFO round); the primary it was, if no failover happened
      const now = await set.primary().catch(() => null);
      const replicaOf = now && now.port !== set.nodeAt(killed.port).announcedPort ? now.port : undefined;
      await set.restartNode(killed.name, { replicaOf });
      rejoined = await set.waitSettled(this.o.rejoinTimeoutMs ?? 30_000).then(
        () => true,
        () => false,
      );
    }
    await this.probe?.stop();
    const primary = await set.primary();
    const reader = new Redis({ host: primary.host, port: primary.port, maxRetriesPerRequest: 1, lazyConnect: true });
    reader.on('error', () => {});
    let finalList: string[] = [];
    try {
      await reader.connect();
      finalList = await reader.lrange(this.key, 0, -1);
      await reader.del(this.key);
    } finally {
      reader.disconnect();
    }
    const writes = this.probe?.writes ?? [];
    const first = killed ? this.probe?.firstAckSince(killed.exitedAtMono) ?? null : null;
    const logs = set.nodes.filter((n) => n.role === 'sentinel').map((n) => (fs.existsSync(n.logFile) ? fs.readFileSync(n.logFile, 'utf8') : ''));
    const switched = killed ? firstSwitchAfter(logs, killed.killedAt, set.masterName) : null;
    const wallOf = (mono: number) => new Date(killed!.killedAt.getTime() + (mono - killed!.killedAtMono));
    return {
      fault: 'store-failover',
      kind: 'redis-sentinel',
      masterName: set.masterName,
      primaryBefore: this.primaryBefore,
      killed: killed?.name ?? null,
      killedPid: killed?.pid ?? null,
      signal: 'SIGKILL',
      killedAt: killed?.killedAt.toISOString() ?? null,
      newPrimary: switched?.to ?? (first?.port ? `127.0.0.1:${first.port}` : null),
      switchMasterAt: switched?.at.toISOString() ?? null,
      switchMasterMs: switched && killed ? switched.at.getTime() - killed.killedAt.getTime() : null,
      firstWriteAt: first?.ackMono != null ? wallOf(first.ackMono).toISOString() : null,
      failoverMs: first?.ackMono != null && killed ? Math.round(first.ackMono - killed.killedAtMono) : null,
      rejoined,
      ...analyseWrites(writes, finalList),
    };
  }
}
