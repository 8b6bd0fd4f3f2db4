// `gameday simulate <partners-file> [--port P]`: serves the partners of a YAML/JSON file on
// 127.0.0.1 — every partner under /<name> of one server, the control API under /__gameday/ —
// until SIGINT/SIGTERM, then closes every connection and the journal.
import path from 'node:path';
import { openJournal, type Journal } from '../../simulators/journal.ts';
import { startSimulatorServer, type SimulatorServer } from '../../simulators/partner-server.ts';
import { DrillError, parseWith, readDataFile } from '../schema/config-file.ts';
import { scalePartner } from '../plan/plan.ts';
import { PartnersFile } from '../schema/partner.ts';

/** The partners file could not be read or is invalid (exit code 3, like an invalid drill). */
export class PartnersFileError extends DrillError {
  constructor(file: string, problems: string[]) {
    super(file, problems, 'the partners file');
    this.name = 'PartnersFileError';
  }
}

const partnersFileError = (file: string, problems: string[]) => new PartnersFileError(file, problems);

/** Reads and validates a partners file: `partners: [{ name, routes: [...], behaviours?: [...] }]`. */
export function loadPartnersFile(file: string): PartnersFile {
  return parseWith(PartnersFile, readDataFile(file, partnersFileError).raw, file, partnersFileError);
}

export interface SimulateOptions {
  /** default: a free port */
  port?: number;
  /** append one NDJSON line per exchange to this file */
  journal?: string;
  /** stops the simulators like SIGINT does (tests, embedding) */
  signal?: AbortSignal;
  out?: (line: string) => void;
}

const nullJournal = (): Journal => {
  let count = 0;
  return {
    record: () => void count++,
    close: async () => {},
    get count() {
      return count;
    },
  };
};

/** Runs until SIGINT/SIGTERM (or `signal`); returns the exit code. Throws PartnersFileError on a bad file. */
export async function simulateCommand(partnersFile: string, opts: { port?: number } & SimulateOptions = {}): Promise<number> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const file = loadPartnersFile(partnersFile);
  const journal = opts.journal ? openJournal(path.resolve(opts.journal)) : nullJournal();
  let server: SimulatorServer;
  try {
    server = await startSimulatorServer(
      file.partners.map((p) => scalePartner(p, 1)),
      journal,
      { port: opts.port },
    );
  } catch (err) {
    await journal.close();
    const code = (err as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE' ? `gameday simulate: port ${opts.port} on 127.0.0.1 is in use: choose another with --port, or leave it out for a free one\n` : `gameday simulate: ${(err as Error).message}\n`,
    );
    return 1;
  }
  server.startTimeline(Date.now());
  out(`gameday simulate: ${server.partners.length} partner(s) on 127.0.0.1, timelines started`);
  const width = Math.max(...server.partners.map((p) => p.name.length));
  for (const p of server.partners) {
    const routes = p.runtime.views().map((r) => r.name);
    out(`  ${p.name.padEnd(width)}  ${p.url}  (routes: ${routes.join(', ')})`);
  }
  out(`control API: ${server.controlUrl}/partners`);
  if (opts.journal) out(`journal: ${opts.journal}`);
  out('Ctrl-C stops the simulators');

  const stopped = await waitForStop(opts.signal);
  await server.close();
  await journal.close();
  out(`${stopped === 'abort' ? 'stopped' : stopped}: simulators closed after ${journal.count} exchange(s)`);
  return 0;
}

/** Resolves with what stopped us: SIGINT, SIGTERM or "abort"; removes its listeners. */
function waitForStop(signal?: AbortSignal): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      signal?.removeEventListener('abort', onAbort);
      resolve(why);
    };
    const onInt = () => done('SIGINT');
    const onTerm = () => done('SIGTERM');
    const onAbort = () => done('abort');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    if (signal?.aborted) return done('abort');
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
