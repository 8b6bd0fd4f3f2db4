// `gameday doctor`: what the toolchain resolves to, where, what is missing and how to install it;
// `--install` installs the missing pinned tools into the tools folder (with Go).
import path from 'node:path';
import { displayDir, findTool, goAvailable, installCommand, installTool, isCompatible, pinnedRelease, pinnedTools, resolveToolsDir } from '../platform/toolchain.mjs';
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

const NEEDED_FOR: Record<string, string> = {
  k6: 'every drill (load)',
  toxiproxy: 'every drill (network faults, one proxy per replica)',
  prometheus: 'drills with telemetry.prometheus: { managed: true }',
};

/** Checks every tool a drill may need. Reads the file system and runs `--version`; changes nothing. */
export function checkTools(env: Record<string, string | undefined> = process.env): ToolCheck[] {
  const checks: ToolCheck[] = [];
  for (const spec of pinnedTools()) {
    const neededFor = NEEDED_FOR[spec.name] ?? 'drills that use it';
    try {
      const found = findTool(spec, env);
      checks.push({
        name: spec.name,
        neededFor,
        found,
        pinned: pinnedRelease(spec),
        compatible: found?.version ? isCompatible(found.version, pinnedRelease(spec)) : undefined,
        install: found ? undefined : `${installCommand()} (go install ${spec.package}@${spec.version} into ${displayDir(path.join(resolveToolsDir(env), 'bin'))}), or set ${spec.envVar}=/path/to/${spec.binary}`,
      });
    } catch (e) {
      checks.push({ name: spec.name, neededFor, found: null, pinned: pinnedRelease(spec), error: (e as Error).message, install: `unset ${spec.envVar} or point it at a ${spec.binary} binary` });
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

/** Pure. `toolsDir`: where gameday installs its pinned tools (shown as the first line after node). */
export function formatDoctor(checks: ToolCheck[], node = process.version, toolsDir?: string): string {
  const lines = [`node ${node}${Number(node.slice(1).split('.')[0]) >= 20 ? '' : ' (gameday needs Node.js 20 or later)'}`];
  if (toolsDir) lines.push(`tools   ${toolsDir} (GAMEDAY_TOOLS_DIR overrides it)`);
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

/**
 * Exit 0 when k6 and Toxiproxy (needed by every drill) are found and compatible, else 1.
 * `install`: first go-install every pinned tool that is missing (not one named by a bad *_BIN).
 */
export function doctorCommand(out: (t: string) => void = (t) => process.stdout.write(t), o: { install?: boolean } = {}): number {
  const env = process.env;
  if (o.install) {
    const missing = checkTools(env).filter((c) => c.pinned && !c.found && !c.error);
    if (missing.length && !goAvailable()) out(`cannot install ${missing.map((c) => c.name).join(', ')}: Go is not installed (https://go.dev/doc/install; Debian: apt-get install golang)\n`);
    else for (const spec of pinnedTools().filter((s) => missing.some((c) => c.name === s.name))) installTool(spec, (line: string) => out(`${line}\n`), env);
  }
  const checks = checkTools(env);
  out(formatDoctor(checks, process.version, displayDir(resolveToolsDir(env))));
  const core = checks.filter((c) => c.name === 'k6' || c.name === 'toxiproxy');
  return core.every((c) => c.found && c.compatible !== false) ? 0 : 1;
}
