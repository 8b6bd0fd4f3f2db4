// driver: fis in a run. The drill's FIS faults, planned and their blast radius checked
// (src/plan/fis.ts), become one FisDriver (chaos/fis/driver.ts): the Regions and endpoint go to
// the ledger before the first call (the sweep stops a killed run's experiments), and every FIS
// call and state change is kept for chaos_report.json. Region: the spec's; credentials: the AWS
// SDK's default chain; endpoint: the SDK's own (AWS_ENDPOINT_URL_FIS, else AWS_ENDPOINT_URL).
import { FisDriver, type FisFaultRequest } from '../../chaos/fis/driver.ts';
import type { FisJournalEntry } from '../../chaos/fis/experiment.ts';
import { assertSupported, type FaultDriver, type FaultRequest } from '../../chaos/driver.ts';
import type { Ledger } from '../platform/ledger.ts';
import { ownerMarker } from '../platform/processes.ts';
import { type FisPlan } from '../plan/fis.ts';
import type { Drill } from '../schema/drill.ts';
import type { FisFault } from '../schema/fis.ts';

export interface FisRun {
  driver: FisDriver;
  /** the driver as the run's fault schedule calls it */
  faultDriver: FaultDriver;
  /** a revert failed: an experiment may still run, so the ledger stays for the sweep / `gameday cleanup` */
  leftover(): boolean;
  /** chaos_report.json's `fis` */
  evidence(): FisEvidence;
}

export interface FisEvidence {
  endpoint: string;
  remote: boolean;
  regions: string[];
  accounts: string[];
  /** the drill's allowRemote when the experiments ran on AWS itself */
  allowRemote: { reason: string; awsAccounts: string[] } | null;
  /** per fault: its template, experiment and every state FIS reported, in order */
  experiments: Record<string, { templateId: string | null; experimentId: string | null; states: Array<{ at: string; status: string; reason?: string }> }>;
  /** every FIS call and observed state change, in order */
  journal: FisJournalEntry[];
}

export interface FisRunOptions {
  runId: string;
  ledger: Ledger;
  /** FIS is polled on the drill's clock: every 2 s at time-scale 1 (at least every 100 ms) */
  timeScale: number;
  log(line: string): void;
  /** the run is ending (Ctrl-C, a guard trip, k6 gone): ends the wait for "running"; the stop that follows always runs */
  signal?: AbortSignal;
}

/** The FisDriver of a planned run; the ledger names its Regions before the first call. */
export function startFis(plan: FisPlan, drill: Pick<Drill, 'allowRemote'>, o: FisRunOptions): FisRun {
  o.ledger.fisUsed(plan.endpoint, plan.regions);
  const driver = new FisDriver({
    runId: o.runId,
    owner: ownerMarker(),
    specs: plan.specs,
    pollIntervalMs: Math.max(100, Math.round(2000 * Math.min(1, o.timeScale))),
    signal: o.signal,
    watch: true,
    onJournal: (e) => o.log(`fault ${e.fault}: FIS ${e.event}${e.status ? ` ${e.status}` : ''}${e.experimentId ? ` (${e.experimentId})` : ''}${e.reason && e.status !== 'running' ? `: ${e.reason}` : ''}`),
  });
  let leftover = false;
  return {
    driver,
    faultDriver: asFaultDriver(driver, () => (leftover = true)),
    leftover: () => leftover,
    evidence: () => ({
      endpoint: plan.endpoint ?? `https://fis.{region}.amazonaws.com (AWS)`,
      remote: plan.remote,
      regions: plan.regions,
      accounts: plan.accounts,
      allowRemote: plan.remote && drill.allowRemote ? { reason: drill.allowRemote.reason, awsAccounts: drill.allowRemote.awsAccounts ?? [] } : null,
      experiments: experimentsOf(Object.keys(plan.specs), driver.journal),
      journal: [...driver.journal],
    }),
  };
}

/** The FIS driver behind the registry's interface: the window is the spec's (completed from the fault), so no parameter passes. */
function asFaultDriver(driver: FisDriver, revertFailed: () => void): FaultDriver {
  const fisRequest = (r: FaultRequest): FisFaultRequest => {
    assertSupported('fis', r.action);
    return { name: r.name, action: r.action as FisFault, targets: r.targets, params: {} };
  };
  return {
    name: driver.name,
    inject: async (r) => {
      const injected = await driver.inject(fisRequest(r));
      return { request: r, applied: injected.applied };
    },
    revert: async (f) => {
      try {
        await driver.revert('applied' in f ? { request: fisRequest(f.request), applied: f.applied } : fisRequest(f));
      } catch (err) {
        revertFailed();
        throw err;
      }
    },
  };
}

/** Per fault: the ids it created and the states its experiment went through. */
export function experimentsOf(faults: string[], journal: readonly FisJournalEntry[]): FisEvidence['experiments'] {
  const out: FisEvidence['experiments'] = {};
  for (const name of faults) out[name] = { templateId: null, experimentId: null, states: [] };
  for (const e of journal) {
    const x = out[e.fault];
    if (!x) continue;
    if (e.event === 'template-created' && e.templateId) x.templateId = e.templateId;
    if (e.event === 'experiment-started' && e.experimentId) x.experimentId = e.experimentId;
    if (e.event === 'state' && e.status) x.states.push({ at: e.at, status: e.status, ...(e.reason ? { reason: e.reason } : {}) });
  }
  return out;
}
