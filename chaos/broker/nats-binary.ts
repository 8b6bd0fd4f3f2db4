// Finds the nats-server binary: NATS_SERVER_BIN, then PATH, then Debian's install location.
import fs from 'node:fs';
import path from 'node:path';

const DEBIAN_LOCATIONS = ['/usr/sbin/nats-server', '/usr/bin/nats-server'];

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of nats-server; throws an error that says how to install it when there is none. */
export function resolveNatsServer(env: Record<string, string | undefined> = process.env, fallbacks: readonly string[] = DEBIAN_LOCATIONS): string {
  const explicit = env.NATS_SERVER_BIN;
  if (explicit) {
    if (executable(explicit)) return explicit;
    throw new Error(`NATS_SERVER_BIN=${explicit} is not an executable file`);
  }
  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'nats-server'));
  for (const candidate of [...onPath, ...fallbacks]) {
    if (executable(candidate)) return candidate;
  }
  throw new Error('nats-server not found (NATS_SERVER_BIN, PATH, /usr/sbin, /usr/bin): install it with `apt-get install nats-server`');
}
