// What Kafka (KRaft) costs on this machine: preparing the runtime (the jars from Maven Central and
// gameday's client program; seconds once cached), 3 nodes to ready, their resident memory, and one
// leader failover with Kafka's own timing defaults (broker.session.timeout.ms 9 s,
// replica.fetch.backoff.ms 1 s), the figures a drill on the default cluster would see.
// Prints figures; asserts nothing.
//   npx tsx bench/kafka.bench.ts [heap MB]
import fs from 'node:fs';
import { KafkaFailover } from '../chaos/store/kafka-failover.ts';
import { startKafkaKraft } from '../chaos/store/kafka-kraft.ts';
import { ensureKafkaRuntime } from '../chaos/store/kafka-runtime.ts';
import { ProcessGroup } from '../src/platform/processes.ts';
import { tmpDir } from '../test/helpers.ts';

const HEAP_MB = Number(process.argv[2] ?? 256);
const dir = tmpDir('gameday-bench-kafka');
const group = new ProcessGroup('bench-kafka');
try {
  const runtime = await ensureKafkaRuntime();
  const cluster = await startKafkaKraft({ dir, group, runtime, heapMb: HEAP_MB });
  const rss = cluster.nodes.map((n) => Math.round(Number(/^VmRSS:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${n.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024));
  const failover = new KafkaFailover({ cluster, runId: 'bench' });
  let report;
  try {
    await failover.inject();
  } finally {
    report = await failover.revert();
    await cluster.stop();
  }
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`Kafka ${cluster.version} in KRaft mode, 3 combined broker/controller nodes, -Xmx${HEAP_MB}m each:`);
  out(`  runtime ready (jars resolved and program compiled if not cached)  ${runtime.preparedMs} ms`);
  out(`  3 nodes to ready (formatted, registered, all three voters, an RF 3 topic with ISR 3)  ${cluster.startupMs} ms`);
  out(`  resident memory  ${rss.join(' + ')} = ${rss.reduce((a, b) => a + b, 0)} MB`);
  out(`  leader failover with Kafka's defaults (killed node ${report.killedActiveController ? 'was' : 'was not'} the active controller):`);
  out(`    fenced ${report.fencedMs} ms, new leader's log ${report.leaderElectedMs} ms, first acknowledged write ${report.failoverMs} ms after the kill`);
  out(`    ${report.acknowledged} acknowledged, ${report.lost} lost, ${report.duplicates} duplicated, back in the ISR: ${report.rejoined}`);
} finally {
  await group.stopAll(2000);
  fs.rmSync(dir, { recursive: true, force: true });
}
