// The partner simulators of a containers drill, inside a container on the run's network (bundled
// by esbuild into one file, run by the node of the service's image): the replicas reach partner i
// at http://<container>:<basePort + i>. The planned partners come from <dir>/partners.json; t = 0,
// known only once the load is about to start, from <dir>/t0.json when the run writes it (the folder
// is bind-mounted read-only). The journal goes to a bind-mounted folder the run reads after
// SIGTERM, on which every connection is closed and the journal flushed.
import fs from 'node:fs';
import path from 'node:path';
import type { PlannedPartner } from './behaviour.ts';
import { openJournal } from './journal.ts';
import { startPartnerServer, type PartnerServer } from './partner-server.ts';

export interface ContainerPartnersConfig {
  partners: PlannedPartner[];
  /** partner i listens on basePort + i */
  basePort: number;
}

const dir = process.env.GAMEDAY_PARTNERS_DIR ?? '/gameday';
const journalFile = process.env.GAMEDAY_JOURNAL ?? '/journal/simulator_journal.ndjson';
const config = JSON.parse(fs.readFileSync(path.join(dir, 'partners.json'), 'utf8')) as ContainerPartnersConfig;
const journal = openJournal(journalFile);
const servers: PartnerServer[] = [];
for (const [i, p] of config.partners.entries()) servers.push(await startPartnerServer(p, journal, { host: '0.0.0.0', port: config.basePort + i }));
console.log(`partners listening: ${config.partners.map((p, i) => `${p.name} on ${config.basePort + i}`).join(', ')}`);

const t0File = path.join(dir, 't0.json');
const poll = setInterval(() => {
  if (!fs.existsSync(t0File)) return;
  clearInterval(poll);
  const { t0 } = JSON.parse(fs.readFileSync(t0File, 'utf8')) as { t0: number };
  for (const s of servers) s.startTimeline(t0);
  console.log(`partners: timeline starts at ${new Date(t0).toISOString()}`);
}, 20);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  clearInterval(poll);
  await Promise.all(servers.map((s) => s.close()));
  await journal.close();
  console.log(`partners stopped (${signal}): ${journal.count} exchange(s) journaled`);
  process.exit(0);
};
// PID 1 of its container: no default action for these, so handled explicitly
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
