// Watching an FIS experiment: poll GetExperiment, journal every state change with the wall
// clock and FIS's reason, stop when a wanted state is seen.
import { setTimeout as sleep } from 'node:timers/promises';
import { GetExperimentCommand, type FisClient } from '@aws-sdk/client-fis';

export const EXPERIMENT_STATES = ['pending', 'initiating', 'running', 'completed', 'stopping', 'stopped', 'failed', 'cancelled'] as const;
export type FisExperimentStatus = (typeof EXPERIMENT_STATES)[number];
export const TERMINAL_STATES: ReadonlySet<string> = new Set<FisExperimentStatus>(['completed', 'stopped', 'failed', 'cancelled']);

export interface FisJournalEntry {
  /** wall clock, ISO 8601 */
  at: string;
  /** the fault's name */
  fault: string;
  region: string;
  event: 'template-created' | 'experiment-started' | 'state' | 'stop-requested' | 'template-deleted' | 'note';
  templateId?: string;
  experimentId?: string;
  /** for `state`: the experiment's state as FIS reports it */
  status?: string;
  reason?: string;
  detail?: string;
}

/** The journal of one driver: every action and every observed state change, in order. */
export class FisJournal {
  readonly entries: FisJournalEntry[] = [];
  private readonly lastStatus = new Map<string, string>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly onEntry?: (entry: FisJournalEntry) => void,
  ) {}

  record(entry: Omit<FisJournalEntry, 'at'>): void {
    const full = { at: this.now().toISOString(), ...entry };
    this.entries.push(full);
    this.onEntry?.(full);
  }

  /** Journals a state when it differs from the last one seen for this experiment. */
  observed(fault: string, region: string, experimentId: string, status: string, reason: string | undefined): void {
    if (this.lastStatus.get(experimentId) === status) return;
    this.lastStatus.set(experimentId, status);
    this.record({ fault, region, event: 'state', experimentId, status, reason });
  }
}

export interface WatchOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

export class FisTimeoutError extends Error {
  constructor(
    message: string,
    readonly lastStatus: string,
  ) {
    super(message);
    this.name = 'FisTimeoutError';
  }
}

/** Reads the experiment's state once and journals it. */
export async function readState(client: FisClient, journal: FisJournal, fault: string, region: string, experimentId: string): Promise<{ status: string; reason?: string }> {
  const out = await client.send(new GetExperimentCommand({ id: experimentId }));
  const status = out.experiment?.state?.status ?? 'unknown';
  const reason = out.experiment?.state?.reason;
  journal.observed(fault, region, experimentId, status, reason);
  return { status, reason };
}

/** Polls until `until(status)` holds; throws FisTimeoutError after `timeoutMs`. */
export async function waitForState(
  client: FisClient,
  journal: FisJournal,
  fault: string,
  region: string,
  experimentId: string,
  until: (status: string) => boolean,
  opts: WatchOptions,
): Promise<{ status: string; reason?: string }> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    opts.signal?.throwIfAborted();
    const state = await readState(client, journal, fault, region, experimentId);
    if (until(state.status)) return state;
    if (Date.now() >= deadline) {
      throw new FisTimeoutError(`experiment ${experimentId} is still ${state.status} after ${Math.round(opts.timeoutMs / 1000)} s`, state.status);
    }
    await sleep(opts.pollIntervalMs, undefined, { signal: opts.signal });
  }
}
