// Finds the nats-server binary: NATS_SERVER_BIN, then PATH, then Debian's install location.
import { resolveSystemBinary } from '../../src/platform/toolchain.mjs';

const DEBIAN_LOCATIONS = ['/usr/sbin/nats-server', '/usr/bin/nats-server'];

/** Absolute path of nats-server; throws an error that says how to install it when there is none. */
export function resolveNatsServer(env: Record<string, string | undefined> = process.env, fallbacks: readonly string[] = DEBIAN_LOCATIONS): string {
  return resolveSystemBinary({ name: 'nats-server', envVar: 'NATS_SERVER_BIN', fallbacks }, env);
}
