import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { classArchiveFlags, classArchivePath, ensureClassArchive } from '../../chaos/store/kafka-cds.ts';
import { jvmFlags } from '../../chaos/store/kafka-tool.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-cds-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the Kafka JVMs\' class-data archive', () => {
  it('is used by every JVM once it exists, and by none before', () => {
    expect(jvmFlags(128, '/c/kafka.jsa')).toContain('-XX:SharedArchiveFile=/c/kafka.jsa');
    expect(jvmFlags(128, null).some((f) => f.includes('SharedArchiveFile'))).toBe(false);
    expect(classArchiveFlags(undefined)).toEqual([]);
  });

  it('is named after the Java runtime and the jars: jars fetched again make another one', () => {
    const libs = path.join(tmp(), 'libs');
    fs.mkdirSync(libs);
    fs.writeFileSync(path.join(libs, 'a.jar'), 'a');
    const java = process.execPath; // any executable stands for the runtime here
    const first = classArchivePath({ java, libs });
    expect(path.dirname(first)).toBe(path.join(path.dirname(libs), 'cds'));
    expect(classArchivePath({ java, libs })).toBe(first);
    fs.utimesSync(path.join(libs, 'a.jar'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(classArchivePath({ java, libs })).not.toBe(first);
  });

  it('is named after the jars\' real folder: a symlinked tools folder finds it, another folder makes its own', () => {
    // the JVM refuses an archive made with another class path (a worktree whose .tools is a symlink)
    const root = tmp();
    const libs = path.join(root, 'tools', 'kafka', 'libs');
    fs.mkdirSync(libs, { recursive: true });
    fs.writeFileSync(path.join(libs, 'a.jar'), 'a');
    fs.symlinkSync(path.join(root, 'tools'), path.join(root, 'linked'));
    const java = process.execPath;
    const real = classArchivePath({ java, libs });
    expect(classArchivePath({ java, libs: path.join(root, 'linked', 'kafka', 'libs') })).toBe(real);
    expect(real.startsWith(path.join(fs.realpathSync(root), 'tools', 'kafka', 'cds'))).toBe(true);
    const copy = path.join(root, 'copy', 'libs');
    fs.mkdirSync(copy, { recursive: true });
    fs.copyFileSync(path.join(libs, 'a.jar'), path.join(copy, 'a.jar'));
    const stat = fs.statSync(path.join(libs, 'a.jar'));
    fs.utimesSync(path.join(copy, 'a.jar'), stat.atime, stat.mtime);
    expect(path.basename(classArchivePath({ java, libs: copy }))).not.toBe(path.basename(real));
  });

  it('is made once: the node writes it as it exits, and the next run finds it', async () => {
    const archive = path.join(tmp(), 'cds', 'kafka-x.jsa');
    let trainings = 0;
    const train = async (flags: string[]) => {
      trainings++;
      const [flag] = flags;
      expect(flag).toMatch(/^-XX:ArchiveClassesAtExit=/);
      fs.writeFileSync(flag.slice(flag.indexOf('=') + 1), 'archive');
    };
    expect(await ensureClassArchive(archive, train)).toBe(archive);
    expect(await ensureClassArchive(archive, train)).toBe(archive);
    expect(trainings).toBe(1);
    expect(fs.readdirSync(path.dirname(archive))).toEqual(['kafka-x.jsa']);
  });

  it('a JVM that cannot write one is remembered; a start that failed is tried again next time', async () => {
    const dir = tmp();
    const failing = path.join(dir, 'kafka-a.jsa');
    expect(await ensureClassArchive(failing, async () => {})).toBeNull();
    expect(fs.readFileSync(`${failing}.failed`, 'utf8')).toMatch(/without writing/);
    let asked = false;
    expect(
      await ensureClassArchive(failing, async () => {
        asked = true;
      }),
    ).toBeNull();
    expect(asked).toBe(false);
    const interrupted = path.join(dir, 'kafka-b.jsa');
    expect(
      await ensureClassArchive(interrupted, async () => {
        throw new Error('interrupted');
      }),
    ).toBeNull();
    expect(fs.existsSync(`${interrupted}.failed`)).toBe(false);
    expect(fs.readdirSync(dir).sort()).toEqual(['kafka-a.jsa.failed']);
  });
});
