// Starts Kafka's JVMs through the run's ProcessGroup (owner marker in the environment, so the sweep
// finds them after a kill -9) with flags sized for a small shared machine, and runs gameday's
// GamedayKafka program (chaos/store/java), whose answers are JSON lines on stdout.
import fs from 'node:fs';
import readline from 'node:readline';
import type { SpawnOptions } from 'node:child_process';
import { classArchiveFlags } from './kafka-cds.ts';
import type { KafkaRuntime } from './kafka-runtime.ts';
import { signalGroup, type ManagedProcess, type ProcessGroup } from '../../src/platform/processes.ts';
import { withTimeout } from '../../src/platform/poll.ts';

/**
 * JVM flags for a small machine: a fixed small heap, the serial collector (no GC threads to share
 * 2 cores with), C1 only (starts fast; the load here is a probe, not a benchmark), out of
 * memory means exit rather than limp, and the classes mapped from the class-data archive when
 * there is one (kafka-cds.ts).
 */
export function jvmFlags(heapMb: number, classArchive?: string | null): string[] {
  return [`-Xms${Math.min(64, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xss512k', '-XX:+ExitOnOutOfMemoryError', '-Djava.awt.headless=true', ...classArchiveFlags(classArchive)];
}

/** Log4j 2 configuration: everything Kafka logs at INFO into one file, in Kafka's own line format. Pure. */
export function kafkaLog4j2(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = FILE',
    `appender.file.fileName = ${logFile}`,
    'appender.file.layout.type = PatternLayout',
    // Kafka's stock pattern: "[2026-12-05 18:45:01,123] INFO message (logger)", local time
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = INFO',
    'rootLogger.appenderRef.file.ref = FILE',
    '',
  ].join('\n');
}

/**
 * A GamedayKafka process (the probe runs long; the admin commands answer once). With `logFile`,
 * the Java client's own log goes there (its config written beside it); without, only its errors, to stderr.
 */
export function spawnKafkaTool(group: ProcessGroup, rt: KafkaRuntime, label: string, args: string[], options: SpawnOptions = {}, logFile?: string): ManagedProcess {
  const logging: string[] = [];
  if (logFile) {
    const config = `${logFile}.log4j2.properties`;
    fs.writeFileSync(config, kafkaLog4j2(logFile));
    logging.push(`-Dlog4j2.configurationFile=${config}`);
  }
  // the jars first: the class-data archive was made with them as the class path, and must be its start
  return group.spawn(label, rt.java, [...jvmFlags(128, rt.classArchive), ...logging, '-cp', `${rt.classpath}:${rt.toolClasses}`, 'GamedayKafka', ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
}

/** Calls `onLine` with every JSON line the process prints (other lines go to `onOther`); resolves once its stdout is closed. */
export function readJsonLines(p: ManagedProcess, onLine: (msg: Record<string, unknown>) => void, onOther: (line: string) => void = () => {}): Promise<void> {
  const lines = readline.createInterface({ input: p.child.stdout! });
  const closed = new Promise<void>((resolve) => lines.once('close', resolve));
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return onOther(line);
    try {
      onLine(JSON.parse(line) as Record<string, unknown>);
    } catch {
      onOther(line);
    }
  });
  return closed;
}

/** One admin command: its last JSON answer, or an error with what it said. */
export async function askKafka<T = Record<string, unknown>>(group: ProcessGroup, rt: KafkaRuntime, command: string, args: Record<string, string | number>, timeoutMs = 60_000): Promise<T> {
  const argv = [command, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)])];
  const p = spawnKafkaTool(group, rt, `kafka ${command}`, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let answer: Record<string, unknown> | null = null;
  let stderr = '';
  const read = readJsonLines(p, (msg) => (answer = msg));
  p.child.stderr!.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const exit = await withTimeout(
    Promise.all([p.exited, read]).then(([e]) => e),
    timeoutMs,
  );
  if (exit === null) {
    signalGroup(p.child, 'SIGKILL');
    await p.exited;
    throw new Error(`GamedayKafka ${argv.join(' ')} did not answer within ${timeoutMs} ms`);
  }
  const got = answer as Record<string, unknown> | null;
  if (got?.t === 'error') throw new Error(`GamedayKafka ${command}: ${String(got.message)}`);
  if (exit.code !== 0 || !got) throw new Error(`GamedayKafka ${argv.join(' ')} exited (code ${exit.code}, signal ${exit.signal}) without an answer: ${stderr.trim().split('\n').slice(-5).join('\n')}`);
  return got as T;
}
