// What Kafka runs on: a Java runtime (Debian's default-jre-headless is enough) and the pinned
// org.apache.kafka jars from Maven Central, resolved once by Maven (scripts/kafka/pom.xml) into
// .tools/kafka/<version>/libs, plus gameday's own client program (chaos/store/java) compiled once
// with the runtime's own compiler module. Nothing is fetched until a Kafka test or drill asks.
//
// Kafka 4.3.2: 4.x is KRaft-only (no ZooKeeper code left to start by mistake), its broker needs
// Java 17 (class files are version 61), which is what Debian 12 ships, and 4.3.2 is the newest
// patch release of the newest line that has one.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, resolveSystemBinary, resolveToolsDir } from '../../src/platform/toolchain.mjs';
import { classArchivePath } from './kafka-cds.ts';

export const KAFKA_VERSION = '4.3.2';
const POM = path.join(projectRoot, 'scripts/kafka/pom.xml');
const TOOL_SOURCE = path.join(projectRoot, 'chaos/store/java/GamedayKafka.java');
const run = promisify(execFile);

export interface KafkaRuntime {
  version: string;
  java: string;
  /** the jars, one folder */
  libs: string;
  /** every jar of `libs`, for -cp */
  classpath: string;
  /** the compiled GamedayKafka program's folder */
  toolClasses: string;
  /** how long resolving and compiling took now (0 when everything was cached) */
  preparedMs: number;
  /** the JVMs' class-data archive once it is made (kafka-cds.ts; startKafkaKraft makes it the first time), else null */
  classArchive: string | null;
}

/** The java binary: JAVA_BIN, PATH, then Debian's default-java. Throws saying how to install one. */
export function resolveJava(env: Record<string, string | undefined> = process.env): string {
  return resolveSystemBinary({ name: 'java', envVar: 'JAVA_BIN', fallbacks: ['/usr/lib/jvm/default-java/bin/java'], pkg: 'default-jre-headless' }, env);
}

export function kafkaHome(version = KAFKA_VERSION): string {
  return path.join(resolveToolsDir(), 'kafka', version);
}

/** Why Kafka cannot run here, or null: no java, or no jars and no Maven to fetch them. */
export function kafkaMissing(version = KAFKA_VERSION): string | null {
  try {
    resolveJava();
  } catch (err) {
    return (err as Error).message;
  }
  if (fs.existsSync(path.join(kafkaHome(version), 'libs.done'))) return null;
  try {
    resolveSystemBinary({ name: 'mvn', envVar: 'MVN_BIN', fallbacks: ['/usr/bin/mvn'], pkg: 'maven' });
    return null;
  } catch (err) {
    return `the Kafka ${version} jars are not in ${kafkaHome(version)} and Maven cannot fetch them: ${(err as Error).message}`;
  }
}

function jarsOf(libs: string): string[] {
  return fs
    .readdirSync(libs)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => path.join(libs, f));
}

async function resolveJars(version: string, home: string): Promise<void> {
  const mvn = resolveSystemBinary({ name: 'mvn', envVar: 'MVN_BIN', fallbacks: ['/usr/bin/mvn'], pkg: 'maven' });
  // into a fresh folder, renamed at the end: two runs resolving at once never see half a folder
  const tmp = fs.mkdtempSync(path.join(home, 'libs.tmp-'));
  try {
    await run(mvn, ['-q', '-B', '-f', POM, `-Dkafka.version=${version}`, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${tmp}`], { maxBuffer: 16 << 20, timeout: 15 * 60_000 });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`resolving the Kafka ${version} jars with Maven (${POM}) failed: ${(e.stdout || e.stderr || e.message).trim().split('\n').slice(-8).join('\n')}`);
  }
  const libs = path.join(home, 'libs');
  fs.rmSync(libs, { recursive: true, force: true });
  fs.renameSync(tmp, libs);
  fs.writeFileSync(path.join(home, 'libs.done'), `${jarsOf(libs).length} jars\n`);
}

async function compileTool(java: string, libs: string, home: string): Promise<string> {
  const source = fs.readFileSync(TOOL_SOURCE);
  const out = path.join(home, `tool-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  if (fs.existsSync(path.join(out, 'GamedayKafka.class'))) return out;
  const clients = jarsOf(libs).find((j) => /\/kafka-clients-[^/]+\.jar$/.test(j));
  if (!clients) throw new Error(`no kafka-clients jar in ${libs}: delete ${home} and run again`);
  const tmp = fs.mkdtempSync(path.join(home, 'tool.tmp-'));
  try {
    // the compiler module of the runtime itself: a JRE without javac compiles it too
    await run(java, ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-m', 'jdk.compiler/com.sun.tools.javac.Main', '-nowarn', '-cp', clients, '-d', tmp, TOOL_SOURCE], { timeout: 120_000 });
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`compiling ${TOOL_SOURCE} failed: ${(e.stderr || e.stdout || e.message).trim().split('\n').slice(0, 10).join('\n')}`);
  }
  return out;
}

/** The runtime, fetched and compiled first if needed (a cold resolve takes about 40 s). */
export async function ensureKafkaRuntime(version = KAFKA_VERSION): Promise<KafkaRuntime> {
  const started = performance.now();
  const java = resolveJava();
  const home = kafkaHome(version);
  fs.mkdirSync(home, { recursive: true });
  if (!fs.existsSync(path.join(home, 'libs.done'))) await resolveJars(version, home);
  // the real folder (not through a symlinked tools folder): the class-data archive matches only
  // the class path it was made with (kafka-cds.ts)
  const libs = fs.realpathSync(path.join(home, 'libs'));
  const toolClasses = await compileTool(java, libs, home);
  const archive = classArchivePath({ java, libs });
  return { version, java, libs, classpath: jarsOf(libs).join(path.delimiter), toolClasses, preparedMs: Math.round(performance.now() - started), classArchive: fs.existsSync(archive) ? archive : null };
}
