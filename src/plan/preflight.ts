// The checks a run makes before it starts anything, beyond the schema: every placeholder of the
// service's environment is known, every "env:NAME" secret is set, the service's program exists,
// and AWS FIS faults stay on loopback unless allowRemote names their accounts. `gameday validate`,
// `gameday suite` (for every drill before the first runs) and runDrill all call it, so what
// validate accepts, run starts. The environment is a parameter; it reads nothing but the file system.
import fs from 'node:fs';
import path from 'node:path';
import { shorten } from '../schema/config-file.ts';
import { DrillError, type LoadedDrill } from '../schema/load.ts';
import { isRunningSystem } from '../schema/drill.ts';
import { planFis } from './fis.ts';
import { renderTemplate, type TemplateVars } from '../schema/template.ts';
import { checkExternalTarget } from './external-preflight.ts';

export interface Preflight {
  /** each partner's webhook secret, "env:NAME" resolved */
  secrets: Record<string, string>;
  /** an external target's header values read from env: (auth tokens): kept out of the evidence */
  headerSecrets: string[];
  /** the team's Toxiproxy an external target's proxy: faults act on (target.toxiproxy.url or TOXIPROXY_URL), null when none */
  teamToxiproxy: string | null;
}

/** Resolves "env:NAME" secrets; each missing one is a problem naming the variable. */
function resolveSecrets(loaded: LoadedDrill, env: NodeJS.ProcessEnv, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  loaded.drill.partners.forEach((p, i) => {
    if (!p.webhookSecret) return;
    if (!p.webhookSecret.startsWith('env:')) {
      out[p.name] = p.webhookSecret;
      return;
    }
    const name = p.webhookSecret.slice(4);
    const value = env[name];
    if (value) out[p.name] = value;
    else problems.push(`partners[${i}].webhookSecret: environment variable ${name} is not set: export it (e.g. ${name}=whsec_...) before running`);
  });
  return out;
}

/** Renders every placeholder of the service's environment and command with stand-in values; unknown ones are problems. */
function checkTemplates(loaded: LoadedDrill, problems: string[]): void {
  const target = loaded.drill.target;
  if (isRunningSystem(target)) return;
  const vars: TemplateVars = {
    port: '0',
    replica: '0',
    zone: 'a',
    dataDir: '/',
    // a rotating partner's previous secret and moments; {{t0File}} for process targets
    partners: Object.fromEntries(
      loaded.drill.partners.map((p) => [p.name, { url: 'http://127.0.0.1', webhookSecret: '', ...(p.rotation && p.previousWebhookSecret ? { previousWebhookSecret: '', rotationAt: 0, rotationEnd: 0 } : {}) }]),
    ),
    broker: target.broker ? { url: 'nats://127.0.0.1' } : undefined,
    t0File: target.kind === 'process' ? '/t0.json' : undefined,
  };
  const standIn = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, { url: 'http://127.0.0.1:1', address: '127.0.0.1:1' }]));
  // the service reaches every other service; each of those only what it dependsOn (started before it)
  const parts = [
    { at: 'target.service', svc: target.service, vars: { ...vars, services: standIn(target.services.map((x) => x.name)) } },
    ...target.services.map((svc, i) => ({ at: `target.services[${i}]`, svc, vars: { ...vars, broker: undefined, t0File: undefined, services: standIn(svc.dependsOn) } })),
  ];
  for (const { at, svc, vars: v } of parts) {
    const fields: Array<[string, string]> = [...Object.entries(svc.env).map(([k, x]): [string, string] => [`${at}.env.${k}`, x]), ...svc.command.map((a, i): [string, string] => [`${at}.command[${i}]`, a])];
    for (const [where, text] of fields) {
      try {
        renderTemplate(text, v);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
      }
    }
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The service's program exists: a path (relative to the drill's folder, where it runs) or a name on PATH. Containers run theirs in the image. */
function checkCommand(loaded: LoadedDrill, env: NodeJS.ProcessEnv, problems: string[]): void {
  if (loaded.drill.target.kind !== 'process') return;
  const program = loaded.drill.target.service.command[0];
  const found = program.includes('/')
    ? isExecutable(path.resolve(loaded.dir, program))
    : (env.PATH ?? '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, program)));
  if (!found) {
    problems.push(
      `target.service.command[0]: "${shorten(program)}" ${program.includes('/') ? `is not an executable file (relative to ${shorten(loaded.dir)})` : 'is not on PATH'}: install it, or write the program's path`,
    );
  }
}

/** Every check of a loaded drill a run makes before starting anything; throws one DrillError listing all problems. */
export function preflight(loaded: LoadedDrill, env: NodeJS.ProcessEnv = process.env): Preflight {
  const problems: string[] = [];
  const secrets = resolveSecrets(loaded, env, problems);
  checkTemplates(loaded, problems);
  checkCommand(loaded, env, problems);
  const external = checkExternalTarget(loaded.drill, env, problems);
  try {
    planFis(loaded.drill, env);
  } catch (err) {
    problems.push(`faults (driver fis): ${(err as Error).message}`);
  }
  if (problems.length) throw new DrillError(loaded.file, problems);
  return { secrets, ...external };
}
