// `gameday init`: the first drill of a new user, written as commented YAML that validates and runs
// as written. It asks nothing it can infer: the drill's name and app come from the folder (its
// package.json name, else the folder's name), the service's health path defaults to the schema's.
// Three forms: --url URL (a service that already runs: an external target), --process "cmd ..."
// (gameday starts the service) and --template NAME (a catalogue drill, against the demo partner hub
// that ships with gameday). Another target form is one more StarterTarget variant and one more
// case in targetBlock().
import fs from 'node:fs';
import path from 'node:path';
import { closest } from 'fastest-levenshtein';
import YAML from 'yaml';
import { packageRoot } from '../platform/package-files.mjs';
import { SetupError } from '../platform/setup-error.mjs';
import { drillError, readConfigFile } from '../schema/config-file.ts';
import { loadDrill } from '../schema/load.ts';
import { preflight } from '../plan/preflight.ts';

/** What the starter drill runs against. */
export type StarterTarget = { kind: 'process'; command: string[]; health: string } | { kind: 'external'; url: string; health: string };

export interface StarterOptions {
  name: string;
  app: string;
  target: StarterTarget;
}

const SHELL_SYNTAX = /[|&;<>()$`*?]/;

/**
 * Splits a command line the way a shell splits words (single and double quotes, backslash
 * escapes), without a shell: pipes, redirections, variables and globs are refused.
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (SHELL_SYNTAX.test(c)) {
      throw new SetupError(`--process "${text}": "${c}" is shell syntax and gameday runs the command without a shell; put the command line in a script and give --process "sh ./start.sh"`);
    } else {
      word = (word ?? '') + c;
    }
  }
  if (quote) throw new SetupError(`--process "${text}": a ${quote} quote is not closed`);
  if (word !== null) words.push(word);
  if (words.length === 0) throw new SetupError('--process is empty: give the command that starts one replica, e.g. --process "node server.mjs"');
  return words;
}

/**
 * A drill runs its service's command in the drill's folder and resolves ./ and ../ arguments
 * against it: each argument naming an existing file or folder relative to `cwd` is rewritten
 * relative to `drillDir`, so the command runs as the user typed it in `cwd`.
 */
export function relocateArgs(argv: readonly string[], cwd: string, drillDir: string, exists: (p: string) => boolean = fs.existsSync): string[] {
  return argv.map((arg, i) => {
    if (path.isAbsolute(arg) || arg.startsWith('-') || (i === 0 && !arg.includes('/')) || !exists(path.resolve(cwd, arg))) return arg;
    const rel = path.relative(drillDir, path.resolve(cwd, arg)).split(path.sep).join('/');
    return rel.startsWith('../') ? rel : `./${rel}`;
  });
}

/** A drill name (a slug) from a package name or a folder name. */
export function slugOf(text: string): string {
  const slug = text
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-{2,}/g, '-');
  return slug || 'service';
}

/** The name of the project in `dir`: its package.json name, else the folder's name. */
export function projectName(dir: string): string {
  try {
    const name = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name;
    if (typeof name === 'string' && name) return slugOf(name);
  } catch {
    /* no package.json: the folder names it */
  }
  return slugOf(path.basename(dir));
}

/** A YAML flow value: JSON with a space after each comma of an array. */
const flow = (value: string | string[]) => (Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value));

/** The `target:` block of each target form, with its comments. Pure. */
function targetBlock(name: string, t: StarterTarget): string[] {
  switch (t.kind) {
    case 'process':
      return [
        'target:',
        '  # gameday starts the service: each replica gets PORT (listen on 127.0.0.1:$PORT), REPLICA and ZONE,',
        '  # is up once its health path answers 200, and sits behind its own Toxiproxy proxy (where faults act)',
        '  kind: process',
        '  service:',
        `    name: ${name}`,
        '    # one replica\'s argv, run without a shell in this file\'s folder; ./ and ../ arguments are relative to it',
        `    command: ${flow(t.command)}`,
        '    replicas: 2',
        `    healthPath: ${flow(t.health)}`,
      ];
    case 'external':
      return [
        'target:',
        '  # a service that already runs: gameday starts and stops nothing of it. k6 sends through a proxy of',
        "  # gameday's own Toxiproxy on 127.0.0.1 in front of each endpoint, where the faults below act",
        '  kind: external',
        `  name: ${name}`,
        '  endpoints:',
        '    - name: api',
        `      baseUrl: ${flow(t.url)}`,
        '      # GET before anything runs: not 2xx -> exit 3, nothing injected',
        `      health: { path: ${flow(t.health)} }`,
        '      # headers: { Authorization: env:API_TOKEN }   # read from the environment at start, never written to the evidence',
        '  # off this machine, a drill must say why and name the host:',
        '  # allowRemote: { reason: "staging, approved by ...", hosts: [staging.example.internal] }',
      ];
  }
}

/** The commented starter drill: baseline load, one latency fault, recovery and error-rate SLOs. Pure. */
export function starterDrill(o: StarterOptions): string {
  const service = o.name;
  return [
    `# A first drill for ${o.name}, written by \`gameday init\`. Run it with`,
    '#   npx gameday run <this file>              (exit 0 GO, 1 NO-GO, 2 CONDITIONAL)',
    '#   npx gameday run <this file> --time-scale 0.2   (every duration five times shorter)',
    '# and check an edit without running anything with `npx gameday validate <this file>`.',
    '# Durations: "250ms", "30s", "2m"; ratios: 0.01 or "1%". The README lists every key.',
    `name: ${o.name}-starter`,
    `app: ${o.app}`,
    'description: Baseline load, 200 ms of injected latency for 10 s, then recovery',
    ...targetBlock(service, o.target),
    'load:',
    '  # what k6 sends; add your own requests (method, path, headers, body, expect) and give them weights',
    '  requests:',
    `    - { name: health, path: ${flow(o.target.health)}, expect: [200] }`,
    '  # 10 requests per second for 30 s; the fault below sits in the middle (phases steady → fault → recovery)',
    '  profiles:',
    '    - { profile: baseline, rate: 10, duration: 30s }',
    'faults:',
    `  # 200 ms more latency on ${o.target.kind === 'external' ? "gameday's traffic to" : 'every replica of'} ${service}, from 10 s to 20 s (Toxiproxy); reverted whatever happens`,
    `  - { name: added-latency, action: latency, target: ${service}, at: 10s, duration: 10s, latency: 200ms }`,
    'slos:',
    '  # a blocking SLO that fails makes the decision NO-GO; add severity: advisory for CONDITIONAL instead',
    '  - { name: p95-steady, kind: latency, phase: steady, percentile: 95, below: 250ms }',
    '  - { name: errors-during-fault, kind: error-rate, phase: fault, below: 1% }',
    '  - { name: errors-overall, kind: error-rate, below: 1% }',
    '  # after the fault is reverted: p95 per 1-s window back under 150 ms within 5 s, and held for 2 s',
    '  - name: recovery-after-latency',
    '    kind: recovery-time',
    '    fault: added-latency',
    '    sli: { metric: latency, percentile: 95, below: 150ms }',
    '    within: 5s',
    '    hold: 2s',
    '',
  ].join('\n');
}

const CATALOGUE = path.join(packageRoot, 'examples', 'partner-hub', 'drills', 'catalogue');

/** The catalogue's drills by name: 01-partner-429-storm.ts → partner-429-storm. */
export function catalogueDrills(dir = CATALOGUE): Map<string, string> {
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /^\d+-.+\.ts$/.test(f)).sort() : [];
  return new Map(files.map((f) => [f.replace(/^\d+-/, '').replace(/\.ts$/, ''), path.join(dir, f)]));
}

/** The leading // comment block of a TS file, as YAML comment lines. Pure. */
export function leadingComment(source: string): string[] {
  const lines: string[] = [];
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) break;
    lines.push(`#${line.slice(2)}`);
  }
  return lines;
}

/** A catalogue drill as YAML, its service's ./ and ../ arguments rewritten for a drill in `drillDir`. */
export async function templateDrill(name: string, drillDir: string, dir = CATALOGUE): Promise<string> {
  const drills = catalogueDrills(dir);
  const file = drills.get(name);
  if (!file) {
    const names = [...drills.keys()];
    const near = names.length ? closest(name, names) : undefined;
    throw new SetupError(`--template ${name}: no such catalogue drill${near ? ` (did you mean ${near}?)` : ''}; the catalogue has ${names.join(', ') || 'nothing (it is missing from this installation)'}`);
  }
  const { raw } = await readConfigFile(file, drillError, '`export default defineDrill({ ... })`');
  const drill = raw as { target?: { service?: { command?: string[] } } };
  const command = drill.target?.service?.command;
  if (command) {
    drill.target!.service!.command = command.map((a) => {
      if (!(a.startsWith('./') || a.startsWith('../'))) return a;
      const rel = path.relative(drillDir, path.resolve(path.dirname(file), a)).split(path.sep).join('/');
      return rel.startsWith('../') ? rel : `./${rel}`;
    });
  }
  return [
    `# From gameday's incident catalogue (${path.basename(file)}), written by \`gameday init --template ${name}\`.`,
    "# It drills the demo partner hub that ships with gameday; replace `target` with your own service",
    '# (`gameday init --process "..."` shows a process target) and the requests, partners and SLOs with yours.',
    '#',
    ...leadingComment(fs.readFileSync(file, 'utf8')),
    YAML.stringify(raw, { lineWidth: 0 }),
  ].join('\n');
}

export interface InitOptions {
  url?: string;
  process?: string;
  health: string;
  template?: string;
  out?: string;
  force?: boolean;
}

/** Writes the starter drill, checks it as `gameday validate` would, and says what to run next. */
export async function initCommand(o: InitOptions, cwd = process.cwd(), out: (t: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  if ([o.url, o.process, o.template].filter(Boolean).length !== 1) throw new SetupError('give one of --url URL (your service, already running), --process "cmd ..." (gameday starts your service) or --template NAME (a catalogue drill)');
  if (o.url !== undefined && !/^https?:\/\/[^/]+/.test(o.url)) throw new SetupError(`--url ${o.url}: give the service's base URL, e.g. http://127.0.0.1:8080`);
  const name = projectName(cwd);
  const file = path.resolve(cwd, o.out ?? path.join('drills', `${o.template ?? name}.yaml`));
  if (fs.existsSync(file) && !o.force) throw new SetupError(`${path.relative(cwd, file)} exists: give --out another file, or --force to overwrite it`);
  if (!o.health.startsWith('/')) throw new SetupError(`--health ${o.health}: give a path starting with /, e.g. /healthz`);
  const drillDir = path.dirname(file);
  const text = o.template
    ? await templateDrill(o.template, drillDir)
    : starterDrill({ name, app: name, target: o.url ? { kind: 'external', url: o.url.replace(/\/+$/, ''), health: o.health } : { kind: 'process', command: relocateArgs(splitCommand(o.process!), cwd, drillDir), health: o.health } });
  fs.mkdirSync(drillDir, { recursive: true });
  fs.writeFileSync(file, text);
  const shown = path.relative(cwd, file);
  // what validate checks: the schema, the placeholders, env: secrets, the service's program
  preflight(await loadDrill(file));
  out(`wrote ${shown} (a valid drill)\n`);
  out(`next:  npx gameday run ${shown} --time-scale 0.2    (a quick first run; drop --time-scale for the real timeline)\n`);
  return 0;
}
