// Application class-data sharing (AppCDS) for Kafka's JVMs. Most of a Kafka node's start-up on a
// small machine is loading and verifying the classes of its jars (Scala's library included): a
// dynamic CDS archive holds them parsed and verified, mapped at start instead. It is made once per
// Kafka version and Java runtime, from a real single-node cluster started with
// -XX:ArchiveClassesAtExit and stopped cleanly (the JVM writes it as it exits), and kept beside the
// jars. Every Kafka JVM (formatting, the nodes, gameday's own client program) then starts with
// -XX:SharedArchiveFile: the class path it was made with (the jars) is the start of each one's.
// A JVM that cannot use the archive (another Java build, jars fetched again) says so in its output
// and loads its classes as before (-Xshare:auto); a new runtime gets a new archive name.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The archive made for this Java runtime and these jars, whether it exists yet or not. */
export function classArchivePath(rt: { java: string; libs: string }): string {
  const java = fs.realpathSync(rt.java);
  // the jars' real folder: the archive records the class path it was made with and a JVM whose
  // class path names the jars another way (a worktree's .tools symlink) refuses it
  const libs = fs.realpathSync(rt.libs);
  // the JVM itself (a new build is another archive) and the jars as resolved (CDS checks their times)
  const libjvm = path.join(path.dirname(path.dirname(java)), 'lib', 'server', 'libjvm.so');
  const jars = fs.readdirSync(rt.libs).sort().map((f) => `${f}:${fs.statSync(path.join(rt.libs, f)).mtimeMs}`);
  const jvm = fs.existsSync(libjvm) ? `${fs.statSync(libjvm).size}:${fs.statSync(libjvm).mtimeMs}` : '';
  const key = createHash('sha256').update([java, jvm, libs, ...jars].join('\n')).digest('hex').slice(0, 16);
  return path.join(path.dirname(libs), 'cds', `kafka-${key}.jsa`);
}

/** The JVM flag that uses `archive`, none without one. Pure. */
export function classArchiveFlags(archive: string | null | undefined): string[] {
  return archive ? [`-XX:SharedArchiveFile=${archive}`] : [];
}

/**
 * The archive, made first if it is missing: `train` starts a Kafka node with the flags it is given
 * and stops it cleanly (the archive is written as the JVM exits). Null if it cannot be made now
 * (the run goes on without it). A JVM that stopped cleanly without writing one cannot make one
 * here: that is kept beside it (`.failed`) so that later runs do not try again (delete it to).
 * Two runs making it at once each write their own file; the rename makes either one the archive.
 */
export async function ensureClassArchive(archive: string, train: (nodeJvmFlags: string[]) => Promise<void>): Promise<string | null> {
  if (fs.existsSync(archive)) return archive;
  if (fs.existsSync(`${archive}.failed`)) return null;
  fs.mkdirSync(path.dirname(archive), { recursive: true });
  const tmp = `${archive}.tmp-${process.pid}`;
  try {
    await train([`-XX:ArchiveClassesAtExit=${tmp}`]);
    if (!fs.existsSync(tmp) || fs.statSync(tmp).size === 0) {
      fs.writeFileSync(`${archive}.failed`, 'the Kafka node stopped cleanly without writing its class-data archive (-XX:ArchiveClassesAtExit)\n');
      return null;
    }
    fs.renameSync(tmp, archive);
    return archive;
  } catch {
    // a start that failed or was interrupted: the cluster's own start says why, next time may work
    return null;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
