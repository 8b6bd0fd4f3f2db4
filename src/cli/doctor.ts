// `gameday doctor`: what the toolchain resolves to, where, what is missing and how to install it.
import { findTool, isCompatible, pinnedTools } from '../platform/toolchain.mjs';
import { resolveNginx } from '../targets/load-balancer.ts';
import { resolveNatsServer } from '../../chaos/broker/nats-binary.ts';

export interface ToolCheck {
  name: string;
  /** what it is needed for */
  neededFor: string;
  found: { path: string; version: string | null; source: string } | null;
  pinned?: string;
  compatible?: boolean;
  /** the command (or setting) that installs it, when missing */
  install?: string;
  error?: string;
}

/** Checks every tool a drill may need. Reads the file system and runs `--version`; changes nothing. */
export function checkTools(env: Record<string, string | undefined> = process.env): ToolCheck[] {
  const checks: ToolCheck[] = [];
  for (const spec of pinnedTools()) {
    const neededFor = spec.name === 'k6' ? 'every drill (load)' : spec.name === 'toxiproxy' ? 'every drill (network faults, one proxy per replica)' : 'drills that use it';
    try {
      const found = findTool(spec);
      checks.push({
        name: spec.name,
        neededFor,
        found,
        pinned: spec.version,
        compatible: found?.version ? isCompatible(found.version, spec.version) : undefined,
        install: found ? undefined : `npm run bootstrap (go install ${spec.package}@${spec.version}), or set ${spec.envVar}=/path/to/${spec.binary}`,
      });
    } catch (e) {
      checks.push({ name: spec.name, neededFor, found: null, pinned: spec.version, error: (e as Error).message, install: `unset ${spec.envVar} or point it at a ${spec.binary} binary` });
    }
  }
  const system: Array<[string, string, string, () => string]> = [
    ['nginx', 'NGINX_BIN', 'drills with target.loadBalancer', () => resolveNginx(env)],
    ['nats-server', 'NATS_SERVER_BIN', 'drills with target.broker', () => resolveNatsServer(env)],
  ];
  for (const [name, envVar, neededFor, resolve] of system) {
    try {
      checks.push({ name, neededFor, found: { path: resolve(), version: null, source: env[envVar] ? envVar : 'PATH' } });
    } catch (e) {
      checks.push({ name, neededFor, found: null, install: `apt-get install ${name}, or set ${envVar}`, error: (e as Error).message });
    }
  }
  return checks;
}

/** Pure. */
export function formatDoctor(checks: ToolCheck[], node = process.version): string {
  const lines = [`node ${node}${Number(node.slice(1).split('.')[0]) >= 20 ? '' : ' (gameday needs Node.js 20 or later)'}`];
  for (const c of checks) {
    if (c.found) {
      const version = c.found.version ? ` ${c.found.version}` : '';
      const pin = c.pinned && c.compatible === false ? ` (pinned ${c.pinned}: not compatible)` : c.pinned ? ` (pinned ${c.pinned})` : '';
      lines.push(`ok      ${c.name}${version}${pin}: ${c.found.path} [${c.found.source}]`);
    } else {
      lines.push(`MISSING ${c.name}${c.pinned ? ` ${c.pinned}` : ''}: needed for ${c.neededFor}`);
      if (c.error) lines.push(`        ${c.error.split('\n')[0]}`);
      if (c.install) lines.push(`        install: ${c.install}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Exit 0 when k6 and Toxiproxy (needed by every drill) are found and compatible, else 1. */
export function doctorCommand(out: (t: string) => void = (t) => process.stdout.write(t)): number {
  const checks = checkTools();
  out(formatDoctor(checks));
  const core = checks.filter((c) => c.pinned);
  return core.every((c) => c.found && c.compatible !== false) ? 0 : 1;
}
