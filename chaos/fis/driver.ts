// The AWS FIS fault driver: a fault becomes an experiment template (templates.ts), the template
// an experiment; inject returns once FIS reports the experiment running, revert stops it, waits
// for a final state and deletes the template. Every call and every state change is journaled;
// with `watch` the experiment is also polled between the two (a drill run).
//
// Idempotency: the template's and the experiment's clientTokens are derived from the run id and
// the fault name, so a retried inject (by the SDK or by the caller) creates one experiment.
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  StartExperimentCommand,
  StopExperimentCommand,
  type FisClientConfig,
} from '@aws-sdk/client-fis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FisFault, FisFaultSpec, FisFaultSpecInput } from '../../src/schema/fis.ts';
import type { FaultDriver, InjectedFault } from '../driver.ts';
import { FisJournal, FisTimeoutError, readState, TERMINAL_STATES, waitForState, type FisJournalEntry } from './experiment.ts';
import { listGamedayExperiments, listGamedayTemplates, type FisRunMark, type FisSweepReport } from './sweep.ts';
import { buildExperimentTemplate, fisClientToken, FisSpecError, gamedayTags, validFisSpec, type FisTemplate } from './templates.ts';

export interface FisDriverOptions {
  runId: string;
  /** marker of the process that owns the run ("pid:start"), tagged so a sweep can tell a dead run */
  owner?: string;
  /** the FIS spec of each fault, by the fault's name (FaultRequest.name) */
  specs: Record<string, FisFaultSpecInput | FisFaultSpec>;
  /** SDK settings besides the Region (endpoint, credentials, maxAttempts) */
  clientConfig?: Omit<FisClientConfig, 'region'>;
  /** makes the client of a Region; wins over clientConfig */
  client?: (region: string) => FisClient;
  /** between GetExperiment polls (default 2 s) */
  pollIntervalMs?: number;
  /** how long inject waits for "running" (default 10 min) */
  runningTimeoutMs?: number;
  /** how long revert waits for a final state (default 15 min) */
  stopTimeoutMs?: number;
  /** aborts the waits (not the stop: revert always waits) */
  signal?: AbortSignal;
  /** keep polling a running experiment until revert, so a state it reaches mid-window (failed, completed) is journaled when it happens */
  watch?: boolean;
  now?: () => Date;
  onJournal?: (entry: FisJournalEntry) => void;
}

/** Injection failed: FIS reported the experiment failed, cancelled or stopped before it ran. */
export class FisInjectError extends Error {
  constructor(
    message: string,
    readonly experimentId: string | undefined,
    readonly status: string,
    readonly reason: string | undefined,
  ) {
    super(message);
    this.name = 'FisInjectError';
  }
}

interface Refs {
  region: string;
  templateId?: string;
  experimentId?: string;
}

/** What FIS carries out (src/schema/fis.ts); drills reach it through `gameday fis` until a drill can name driver fis. */
export type FisFaultRequest = { name: string; action: FisFault; targets: string[]; params: { durationMs?: number } };
type FaultRequest = FisFaultRequest;

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : '';
}

export class FisDriver implements FaultDriver<FisFaultRequest> {
  readonly name = 'aws-fis';
  private readonly specs = new Map<string, FisFaultSpec>();
  private readonly clients = new Map<string, FisClient>();
  private readonly refs = new Map<string, Refs>();
  /** experiments whose failure inject already reported: a later revert does not report it again */
  private readonly reported = new Set<string>();
  /** experiments polled between inject and revert (watch); revert ends the watch */
  private readonly watching = new Map<string, AbortController>();
  private readonly log: FisJournal;
  private readonly pollIntervalMs: number;

  /** Validates every spec first: an invalid one throws FisSpecError and nothing is sent to AWS. */
  constructor(private readonly opts: FisDriverOptions) {
    const problems: string[] = [];
    for (const [name, spec] of Object.entries(opts.specs)) {
      try {
        const valid = validFisSpec(spec, name);
        buildExperimentTemplate(valid, { runId: opts.runId, faultName: name, owner: opts.owner });
        this.specs.set(name, valid);
      } catch (err) {
        if (!(err instanceof FisSpecError)) throw err;
        problems.push(...err.problems.map((p) => `${name}: ${p}`));
      }
    }
    if (problems.length) throw new FisSpecError('FIS faults', problems);
    this.log = new FisJournal(opts.now, opts.onJournal);
    this.pollIntervalMs = opts.pollIntervalMs ?? 2000;
  }

  /** Every call and observed state change so far, in order. */
  get journal(): readonly FisJournalEntry[] {
    return this.log.entries;
  }

  /** The template a fault would create, without creating it. */
  template(faultName: string, durationMs?: number): FisTemplate {
    return buildExperimentTemplate(this.spec(faultName), { runId: this.opts.runId, faultName, owner: this.opts.owner, durationMs });
  }

  private spec(faultName: string): FisFaultSpec {
    const spec = this.specs.get(faultName);
    if (!spec) throw new Error(`no FIS spec for fault "${faultName}": give it in the driver's specs (${[...this.specs.keys()].join(', ') || 'none'})`);
    return spec;
  }

  private client(region: string): FisClient {
    let c = this.clients.get(region);
    if (!c) {
      c = this.opts.client ? this.opts.client(region) : new FisClient({ ...this.opts.clientConfig, region });
      this.clients.set(region, c);
    }
    return c;
  }

  private async call<T>(operation: string, region: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = err as Error;
      const wrapped = new Error(`FIS ${operation} in ${region} failed: ${e.name}: ${e.message}`, { cause: err });
      wrapped.name = e.name;
      throw wrapped;
    }
  }

  async inject(request: FaultRequest): Promise<InjectedFault<FisFaultRequest>> {
    const spec = this.spec(request.name);
    if (spec.fault !== request.action) throw new Error(`fault ${request.name} asks for ${request.action} but its FIS spec carries out ${spec.fault}`);
    const region = spec.region;
    const client = this.client(region);
    const ctx = { runId: this.opts.runId, faultName: request.name, owner: this.opts.owner, durationMs: request.params.durationMs };
    const template = buildExperimentTemplate(spec, ctx);
    const refs: Refs = { region };
    this.refs.set(request.name, refs);
    const injected: InjectedFault<FisFaultRequest> = { request, applied: [] };

    const created = await this.call('CreateExperimentTemplate', region, () =>
      client.send(new CreateExperimentTemplateCommand({ ...template, clientToken: fisClientToken(this.opts.runId, request.name, 'template') })),
    );
    const templateId = created.experimentTemplate?.id;
    if (!templateId) throw new Error(`FIS CreateExperimentTemplate in ${region} returned no template id`);
    refs.templateId = templateId;
    injected.applied.push({ target: 'experiment-template', ref: templateId });
    this.log.record({ fault: request.name, region, event: 'template-created', templateId });

    const started = await this.call('StartExperiment', region, () =>
      client.send(
        new StartExperimentCommand({ experimentTemplateId: templateId, clientToken: fisClientToken(this.opts.runId, request.name, 'start'), tags: gamedayTags(spec.tags, ctx) }),
      ),
    );
    const experimentId = started.experiment?.id;
    if (!experimentId) throw new Error(`FIS StartExperiment in ${region} returned no experiment id`);
    refs.experimentId = experimentId;
    injected.applied.push({ target: 'experiment', ref: experimentId });
    this.log.record({ fault: request.name, region, event: 'experiment-started', templateId, experimentId });
    this.log.observed(request.name, region, experimentId, started.experiment?.state?.status ?? 'unknown', started.experiment?.state?.reason);

    let state: { status: string; reason?: string };
    try {
      state = await this.call('GetExperiment', region, () =>
        waitForState(client, this.log, request.name, region, experimentId, (s) => s === 'running' || TERMINAL_STATES.has(s), {
          pollIntervalMs: this.pollIntervalMs,
          timeoutMs: this.opts.runningTimeoutMs ?? 10 * 60_000,
          signal: this.opts.signal,
        }),
      );
    } catch (err) {
      // Never leave an experiment behind: stop it, then report why inject failed.
      await this.revert(injected).catch((revertErr) => this.log.record({ fault: request.name, region, event: 'note', experimentId, detail: `cleanup after a failed inject: ${String(revertErr)}` }));
      const cause = (err as Error).cause;
      if (cause instanceof FisTimeoutError) throw new FisInjectError(`fault ${request.name}: FIS ${cause.message}; it was stopped`, experimentId, cause.lastStatus, undefined);
      if (this.opts.signal?.aborted) throw this.opts.signal.reason ?? err;
      throw err;
    }
    if (state.status === 'running') {
      if (this.opts.watch) this.watch(client, request.name, region, experimentId);
      return injected;
    }
    if (state.status === 'completed') {
      // Actions without a duration (a pod delete, a failover) can finish between two polls.
      this.log.record({ fault: request.name, region, event: 'note', experimentId, detail: 'completed before it was seen running: the actions ran' });
      return injected;
    }
    this.reported.add(experimentId);
    await this.revert(injected).catch(() => undefined);
    throw new FisInjectError(`fault ${request.name}: FIS experiment ${experimentId} ${state.status}: ${state.reason ?? 'no reason given'}`, experimentId, state.status, state.reason);
  }

  async revert(fault: InjectedFault<FisFaultRequest> | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    const region = this.spec(request.name).region;
    const client = this.client(region);
    const known = this.refs.get(request.name);
    const experiments = new Set<string>();
    const templates = new Set<string>();
    if ('applied' in fault) {
      for (const a of fault.applied) (a.target === 'experiment' ? experiments : templates).add(a.ref);
    }
    if (known?.experimentId) experiments.add(known.experimentId);
    if (known?.templateId) templates.add(known.templateId);
    if (experiments.size === 0 || templates.size === 0) {
      // A partial inject, or another driver instance: find them by their tags.
      const mine = (m: FisRunMark) => m.runId === this.opts.runId && m.fault === request.name;
      for (const e of await this.call('ListExperiments', region, () => listGamedayExperiments(client))) if (mine(e.mark)) experiments.add(e.id);
      for (const t of await this.call('ListExperimentTemplates', region, () => listGamedayTemplates(client))) if (mine(t.mark)) templates.add(t.id);
    }

    for (const id of experiments) this.watching.get(id)?.abort();
    const problems: string[] = [];
    for (const id of experiments) {
      const outcome = await this.stopExperiment(client, request.name, region, id);
      if (outcome.problem) problems.push(outcome.problem);
    }
    for (const id of templates) await this.deleteTemplate(client, request.name, region, id);
    this.refs.delete(request.name);
    if (problems.length) throw new Error(`fault ${request.name}: ${problems.join('; ')}`);
  }

  /** Polls a running experiment until revert begins or it ends; every state change is journaled (readState). */
  private watch(client: FisClient, fault: string, region: string, experimentId: string): void {
    const stop = new AbortController();
    this.watching.set(experimentId, stop);
    void (async () => {
      try {
        for (;;) {
          await sleep(this.pollIntervalMs, undefined, { signal: stop.signal });
          if (TERMINAL_STATES.has((await readState(client, this.log, fault, region, experimentId)).status)) return;
        }
      } catch (err) {
        if (!stop.signal.aborted) this.log.record({ fault, region, event: 'note', experimentId, detail: `watching the experiment failed (revert still stops it): ${String(err)}` });
      } finally {
        if (this.watching.get(experimentId) === stop) this.watching.delete(experimentId);
      }
    })();
  }

  /**
   * Stops an experiment unless it already ended, and waits for its final state. An experiment
   * that ends failed or cancelled is a problem (its rollback may be incomplete) unless inject
   * already reported it, or `quiet` (a sweep of someone else's leftovers).
   */
  private async stopExperiment(client: FisClient, fault: string, region: string, id: string, quiet = false): Promise<{ was: string; now: string; stopped: boolean; problem?: string }> {
    const failure = (s: { status: string; reason?: string }, when: string) =>
      (s.status === 'failed' || s.status === 'cancelled') && !quiet && !this.reported.has(id)
        ? `FIS experiment ${id} ${s.status} ${when} (${s.reason ?? 'no reason given'}): its rollback may not have completed`
        : undefined;
    const before = await this.call('GetExperiment', region, () => readState(client, this.log, fault, region, id));
    if (TERMINAL_STATES.has(before.status)) return { was: before.status, now: before.status, stopped: false, problem: failure(before, 'while it ran') };
    try {
      const out = await this.call('StopExperiment', region, () => client.send(new StopExperimentCommand({ id })));
      this.log.record({ fault, region, event: 'stop-requested', experimentId: id });
      this.log.observed(fault, region, id, out.experiment?.state?.status ?? 'unknown', out.experiment?.state?.reason);
    } catch (err) {
      // It may have ended between the read and the stop: that is a successful stop.
      if (!['ConflictException', 'ValidationException'].includes(errorName(err))) throw err;
      const now = await this.call('GetExperiment', region, () => readState(client, this.log, fault, region, id));
      if (!TERMINAL_STATES.has(now.status)) throw err;
    }
    const final = await this.call('GetExperiment', region, () =>
      waitForState(client, this.log, fault, region, id, (s) => TERMINAL_STATES.has(s), { pollIntervalMs: this.pollIntervalMs, timeoutMs: this.opts.stopTimeoutMs ?? 15 * 60_000 }),
    );
    return { was: before.status, now: final.status, stopped: true, problem: failure(final, 'while stopping') };
  }

  private async deleteTemplate(client: FisClient, fault: string, region: string, id: string): Promise<void> {
    try {
      await this.call('DeleteExperimentTemplate', region, () => client.send(new DeleteExperimentTemplateCommand({ id })));
      this.log.record({ fault, region, event: 'template-deleted', templateId: id });
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw err;
    }
  }

  /**
   * Stops the experiments and deletes the templates of earlier runs, found by their tags, in the
   * Regions of this driver's specs and `regions`. `select` is a run id, or says which runs are
   * leftovers (e.g. runs whose owner process is dead).
   */
  async sweep(select: string | ((mark: FisRunMark) => boolean), regions: string[] = []): Promise<FisSweepReport> {
    const pick = typeof select === 'string' ? (m: FisRunMark) => m.runId === select : select;
    const report: FisSweepReport = { experiments: [], templates: [] };
    const all = new Set([...[...this.specs.values()].map((s) => s.region), ...regions]);
    for (const region of all) {
      const client = this.client(region);
      for (const e of await this.call('ListExperiments', region, () => listGamedayExperiments(client))) {
        if (!pick(e.mark)) continue;
        const fault = e.mark.fault ?? '(unknown fault)';
        try {
          const outcome = await this.stopExperiment(client, fault, region, e.id, true);
          report.experiments.push({ region, id: e.id, runId: e.mark.runId, fault: e.mark.fault, was: outcome.was, now: outcome.now, stopped: outcome.stopped, error: outcome.problem });
        } catch (err) {
          report.experiments.push({ region, id: e.id, runId: e.mark.runId, fault: e.mark.fault, was: e.status, stopped: false, error: String((err as Error).message ?? err) });
        }
      }
      for (const t of await this.call('ListExperimentTemplates', region, () => listGamedayTemplates(client))) {
        if (!pick(t.mark)) continue;
        try {
          await this.deleteTemplate(client, t.mark.fault ?? '(unknown fault)', region, t.id);
          report.templates.push({ region, id: t.id, runId: t.mark.runId, fault: t.mark.fault, deleted: true });
        } catch (err) {
          report.templates.push({ region, id: t.id, runId: t.mark.runId, fault: t.mark.fault, deleted: false, error: String((err as Error).message ?? err) });
        }
      }
    }
    return report;
  }
}
