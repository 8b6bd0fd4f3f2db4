// The broker driver of a Redis with Sentinel: the primary SIGKILLed under the write probe
// (observed: its port refuses connections), started again as a replica of the new one.
import { portRefuses } from '../process.ts';
import { StoreFailoverDriver } from './failover-driver.ts';
import { RedisFailover, type RedisFailoverReport } from './redis-failover.ts';
import type { RedisSentinelSet } from './redis-sentinel.ts';

export function redisSentinelDriver(o: { set: RedisSentinelSet; runId: string; warmupMs?: number }): StoreFailoverDriver<RedisFailoverReport> {
  return new StoreFailoverDriver((fault) => {
    const failover = new RedisFailover({ set: o.set, runId: `${o.runId}-${fault}`, warmupMs: o.warmupMs ?? 500 });
    return {
      async inject() {
        const killed = await failover.inject();
        if (!(await portRefuses(killed.port))) throw new Error(`redis primary ${killed.name} still answers on port ${killed.port} after SIGKILL`);
        return { target: o.set.masterName, ref: `SIGKILL ${killed.name} pid ${killed.pid} at ${killed.killedAt.toISOString()}` };
      },
      revert: () => failover.revert(),
      notBack: (r) => (r.killed && !r.rejoined ? `redis ${r.killed} did not rejoin as a replica` : null),
    };
  });
}
