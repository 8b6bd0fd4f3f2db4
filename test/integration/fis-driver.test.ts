// The FIS driver against the FIS API emulator: the real @aws-sdk/client-fis (serialization,
// SigV4 signing, retries) talks to https://fis.us-east-1.amazonaws.com, which msw answers
// in-process. Nothing leaves the machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FisClient, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import YAML from 'yaml';
import { FisDriver, FisInjectError, type FisDriverOptions } from '../../chaos/fis/driver.ts';
import type { FisJournalEntry } from '../../chaos/fis/experiment.ts';
import { buildExperimentTemplate, FisSpecError, GAMEDAY_TAG } from '../../chaos/fis/templates.ts';
import type { FisFaultRequest as FaultRequest } from '../../chaos/fis/driver.ts';
import type { FisFault as FaultAction } from '../../src/schema/fis.ts';
import { fisCommand, fisDryRun } from '../../src/cli/fis.ts';
import type { FisFaultSpecInput } from '../../src/schema/fis.ts';
import { emulatorClientConfig, startFisEmulator, type FisEmulator, type RunningFisEmulator } from '../support/fis-emulator.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ALARM = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:checkout-5xx`;
const BASE = { region: REGION, roleArn: `arn:aws:iam::${ACCOUNT}:role/gameday-fis`, stopConditions: [ALARM], tags: { team: 'checkout' } };

/** One spec per FIS mechanism; together they use every action the driver supports. */
function specs(): Record<string, FisFaultSpecInput> {
  return {
    'eks-pod-kill': {
      ...BASE,
      fault: 'pod-kill',
      via: 'eks-pod-delete',
      pods: { clusterIdentifier: 'prod-eks', namespace: 'checkout', selectorType: 'labelSelector', selectorValue: 'app=checkout' },
      kubernetesServiceAccount: 'fis-pod-delete',
      gracePeriodSeconds: 0,
      maxErrorsPercent: 10,
    },
    'ecs-pod-kill': { ...BASE, fault: 'pod-kill', via: 'ecs-stop-task', tasks: { resourceTags: { service: 'checkout' }, parameters: { cluster: 'prod', service: 'checkout' } } },
    'az-isolation': {
      ...BASE,
      fault: 'az-failure',
      via: 'disrupt-connectivity',
      subnets: { resourceArns: [`arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/subnet-0a1b2c3d4e5f60718`] },
      duration: '5m',
    },
    'az-power': {
      ...BASE,
      fault: 'az-failure',
      via: 'az-power-interruption',
      availabilityZone: 'us-east-1a',
      duration: '10m',
      instances: { resourceTags: { AzImpairmentPower: 'StopInstances' } },
      subnets: { resourceTags: { AzImpairmentPower: 'DisruptSubnet' } },
      rdsClusters: { resourceTags: { AzImpairmentPower: 'DisruptRds' } },
      elasticache: { resourceTags: { AzImpairmentPower: 'DisruptElasticache' } },
      zonalAutoshift: { managedResources: { resourceTags: { AzImpairmentPower: 'RecoverShift' } } },
    },
    'aurora-failover': { ...BASE, fault: 'broker-failover', via: 'rds-failover', clusters: { resourceArns: [`arn:aws:rds:${REGION}:${ACCOUNT}:cluster:orders`] } },
    'rds-reboot': { ...BASE, fault: 'broker-failover', via: 'rds-reboot', instances: { resourceArns: [`arn:aws:rds:${REGION}:${ACCOUNT}:db:orders-1`] }, forceFailover: true },
    'msk-reboot': {
      ...BASE,
      fault: 'broker-failover',
      via: 'msk-reboot',
      documentArn: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/Gameday-MSK-RebootBroker`,
      documentParameters: { ClusterArn: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/events/abc`, BrokerIds: ['1'], AutomationAssumeRole: `arn:aws:iam::${ACCOUNT}:role/msk-reboot` },
      maxDuration: '15m',
    },
    'disk-full': { ...BASE, fault: 'disk-full', instances: { resourceTags: { role: 'ledger' }, filters: [{ path: 'State.Name', values: ['running'] }] }, percent: 90, duration: '5m' },
    'ec2-throttle': {
      ...BASE,
      fault: 'api-throttle',
      roles: { resourceArns: [`arn:aws:iam::${ACCOUNT}:role/checkout-api`] },
      service: 'ec2',
      operations: ['DescribeInstances', 'RunInstances'],
      percentage: 50,
      duration: '2m',
    },
  };
}

const ACTION_OF: Record<string, FaultAction> = {
  'eks-pod-kill': 'pod-kill',
  'ecs-pod-kill': 'pod-kill',
  'az-isolation': 'az-failure',
  'az-power': 'az-failure',
  'aurora-failover': 'broker-failover',
  'rds-reboot': 'broker-failover',
  'msk-reboot': 'broker-failover',
  'disk-full': 'disk-full',
  'ec2-throttle': 'api-throttle',
};

function request(name: string): FaultRequest {
  return { name, action: ACTION_OF[name], targets: [], params: {} };
}

let fis: RunningFisEmulator;
let emulator: FisEmulator;

function start(opts: Parameters<typeof startFisEmulator>[0] = {}): void {
  fis?.close();
  fis = startFisEmulator(opts);
  emulator = fis.emulator;
}

function driver(extra: Partial<FisDriverOptions> = {}): FisDriver {
  return new FisDriver({ runId: 'run-1', owner: '4242:99', specs: specs(), clientConfig: emulatorClientConfig(), pollIntervalMs: 2, runningTimeoutMs: 5000, stopTimeoutMs: 5000, ...extra });
}

/** The states the driver journaled for one experiment, with their reasons. */
function states(journal: readonly FisJournalEntry[], experimentId: string) {
  return journal.filter((e) => e.event === 'state' && e.experimentId === experimentId).map((e) => ({ status: e.status, reason: e.reason }));
}

beforeAll(() => start());
afterEach(() => start());
afterAll(() => fis.close());

describe('templates for every FIS action pass the emulator via the real SDK', () => {
  it('creates, starts, stops and deletes an experiment for every fault mechanism', async () => {
    const d = driver();
    const actionIds = new Set<string>();
    for (const name of Object.keys(specs())) {
      const injected = await d.inject(request(name));
      const templateId = injected.applied.find((a) => a.target === 'experiment-template')!.ref;
      for (const a of Object.values(emulator.template(templateId).actions) as Array<{ actionId: string }>) actionIds.add(a.actionId);
      await d.revert(injected);
    }
    expect([...actionIds].sort()).toEqual(
      [
        'aws:arc:start-zonal-autoshift',
        'aws:ec2:stop-instances',
        'aws:ecs:stop-task',
        'aws:eks:pod-delete',
        'aws:elasticache:replicationgroup-interrupt-az-power',
        'aws:fis:inject-api-throttle-error',
        'aws:network:disrupt-connectivity',
        'aws:rds:failover-db-cluster',
        'aws:rds:reboot-db-instances',
        'aws:ssm:send-command',
        'aws:ssm:start-automation-execution',
      ].sort(),
    );
    // every template was accepted at the first try, every experiment stopped, nothing left
    expect(emulator.calls.filter((c) => c.operation === 'CreateExperimentTemplate').map((c) => c.status)).toEqual(Array(9).fill(200));
    expect(emulator.experimentIds().map((id) => emulator.experiment(id)!.status)).toEqual(Array(9).fill('stopped'));
    expect(emulator.templateIds()).toEqual([]);
  });

  it('tags templates and experiments with the run id, the fault and the owner', async () => {
    const injected = await driver().inject(request('disk-full'));
    const experimentId = injected.applied.find((a) => a.target === 'experiment')!.ref;
    const tags = emulator.experiment(experimentId)!.tags;
    expect(tags).toMatchObject({ [GAMEDAY_TAG.runId]: 'run-1', [GAMEDAY_TAG.fault]: 'disk-full', [GAMEDAY_TAG.owner]: '4242:99', team: 'checkout' });
    expect(emulator.template(injected.applied[0].ref).tags).toMatchObject({ [GAMEDAY_TAG.runId]: 'run-1' });
  });
});

describe('the experiment lifecycle in the journal', () => {
  it('inject returns once running; revert stops it, waits for "stopped" and deletes the template', async () => {
    const d = driver();
    const injected = await d.inject(request('eks-pod-kill'));
    const experimentId = injected.applied.find((a) => a.target === 'experiment')!.ref;
    const templateId = injected.applied.find((a) => a.target === 'experiment-template')!.ref;
    expect(emulator.experiment(experimentId)!.status).toBe('running');
    expect(states(d.journal, experimentId).map((s) => s.status)).toEqual(['pending', 'initiating', 'running']);

    await d.revert(injected);
    expect(emulator.experiment(experimentId)!.status).toBe('stopped');
    expect(emulator.templateIds()).not.toContain(templateId);
    // the journal holds what FIS said, in order, with FIS's reasons and wall-clock times
    const history = emulator.experiment(experimentId)!.history;
    expect(states(d.journal, experimentId)).toEqual(history.map((h) => ({ status: h.status, reason: h.reason })));
    expect(d.journal.map((e) => e.event)).toEqual(['template-created', 'experiment-started', 'state', 'state', 'state', 'stop-requested', 'state', 'state', 'template-deleted']);
    const times = d.journal.map((e) => Date.parse(e.at));
    expect(times.every((t, i) => Number.isFinite(t) && (i === 0 || t >= times[i - 1]))).toBe(true);
  });

  it('revert is idempotent: a second revert, or one after the experiment completed, stops nothing', async () => {
    start({ msPerActionSecond: 0 }); // actions finish at the first observation after "running"
    const d = driver();
    const injected = await d.inject(request('aurora-failover'));
    const experimentId = injected.applied.find((a) => a.target === 'experiment')!.ref;
    await d.revert(injected);
    await d.revert(injected);
    await d.revert(request('aurora-failover'));
    expect(emulator.experiment(experimentId)!.status).toBe('completed');
    expect(states(d.journal, experimentId).map((s) => s.status)).toEqual(['pending', 'initiating', 'running', 'completed']);
    expect(emulator.operations()).not.toContain('StopExperiment');
    expect(emulator.templateIds()).toEqual([]);
  });

  it('a failed experiment is an inject failure carrying FIS reason; the template is removed', async () => {
    const reason = 'Target resolution failed: no pods in namespace checkout match app=checkout';
    emulator.failNextExperiment(reason, 'initiating');
    const d = driver();
    const err = await d.inject(request('eks-pod-kill')).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(FisInjectError);
    expect((err as FisInjectError).status).toBe('failed');
    expect((err as FisInjectError).reason).toBe(reason);
    expect((err as Error).message).toContain(reason);
    const experimentId = (err as FisInjectError).experimentId!;
    expect(states(d.journal, experimentId)).toEqual([
      { status: 'pending', reason: 'Experiment is pending.' },
      { status: 'initiating', reason: 'Experiment is initiating.' },
      { status: 'failed', reason },
    ]);
    expect(emulator.templateIds()).toEqual([]);
    // the caller's revert after a failed inject is safe and does not repeat the failure
    await expect(d.revert(request('eks-pod-kill'))).resolves.toBeUndefined();
  });

  it('an experiment that fails while running makes the revert fail with the reason', async () => {
    emulator.failNextExperiment('Action disrupt-connectivity failed: network ACL limit reached', 'running');
    const d = driver();
    const injected = await d.inject(request('az-isolation'));
    await expect(d.revert(injected)).rejects.toThrow(/failed.*network ACL limit reached/);
    expect(emulator.templateIds()).toEqual([]);
  });

  it('an abort while waiting for "running" stops the experiment and deletes the template', async () => {
    const abort = new AbortController();
    const d = driver({ signal: abort.signal, onJournal: (e) => e.event === 'experiment-started' && abort.abort(new Error('SIGINT')) });
    await expect(d.inject(request('disk-full'))).rejects.toThrow();
    const [experimentId] = emulator.experimentIds();
    expect(emulator.experiment(experimentId)!.status).toBe('stopped');
    expect(emulator.experiment(experimentId)!.history.map((h) => h.status)).toContain('stopping');
    expect(emulator.templateIds()).toEqual([]);
  });

  it('revert of a bare request after a partial inject finds the experiment by its tags', async () => {
    const first = driver();
    await first.inject(request('ec2-throttle'));
    // another driver instance of the same run, as after a crash of the one that injected
    const second = driver();
    await second.revert(request('ec2-throttle'));
    const [experimentId] = emulator.experimentIds();
    expect(emulator.experiment(experimentId)!.status).toBe('stopped');
    expect(emulator.templateIds()).toEqual([]);
    expect(emulator.operations()).toContain('ListExperiments');
  });
});

describe('retries and idempotency, through the SDK', () => {
  it('throttled calls (ThrottlingException, HTTP 429) are retried by the SDK and succeed', async () => {
    emulator.throttle(2, 'CreateExperimentTemplate');
    const d = driver();
    await d.inject(request('rds-reboot'));
    const creates = emulator.calls.filter((c) => c.operation === 'CreateExperimentTemplate');
    expect(creates.map((c) => [c.status, c.errorType])).toEqual([
      [429, 'ThrottlingException'],
      [429, 'ThrottlingException'],
      [200, undefined],
    ]);
    expect(new Set(creates.map((c) => c.clientToken)).size).toBe(1);
    expect(emulator.templateIds()).toHaveLength(1);
  });

  it('throttling beyond the SDK attempts surfaces as the error, naming the operation', async () => {
    emulator.throttle(3, 'CreateExperimentTemplate');
    await expect(driver().inject(request('rds-reboot'))).rejects.toThrow(/CreateExperimentTemplate.*ThrottlingException/);
    expect(emulator.experimentIds()).toEqual([]);
  });

  it('a StartExperiment whose response is lost is retried with the same clientToken: one experiment', async () => {
    emulator.loseResponses('StartExperiment', 1);
    await driver().inject(request('ecs-pod-kill'));
    const starts = emulator.calls.filter((c) => c.operation === 'StartExperiment');
    expect(starts.map((c) => c.status)).toEqual([500, 200]);
    expect(starts[0].clientToken).toBe(starts[1].clientToken);
    expect(emulator.experimentIds()).toHaveLength(1);
  });

  it('a retried inject of the same fault in the same run reuses the template and the experiment', async () => {
    const a = await driver().inject(request('msk-reboot'));
    const b = await driver().inject(request('msk-reboot'));
    expect(b.applied).toEqual(a.applied);
    expect(emulator.experimentIds()).toHaveLength(1);
    expect(emulator.templateIds()).toHaveLength(1);
    // another run gets its own
    await driver({ runId: 'run-2' }).inject(request('msk-reboot'));
    expect(emulator.experimentIds()).toHaveLength(2);
  });
});

describe('refused before any API call', () => {
  function refusal(name: string, spec: FisFaultSpecInput): FisSpecError {
    const before = fis.requests();
    let error: unknown;
    try {
      new FisDriver({ runId: 'run-1', specs: { [name]: spec }, clientConfig: emulatorClientConfig() });
    } catch (err) {
      error = err;
    }
    expect(fis.requests()).toBe(before);
    expect(emulator.calls).toEqual([]);
    expect(error).toBeInstanceOf(FisSpecError);
    return error as FisSpecError;
  }

  it('no stop condition and no waiver', () => {
    const { stopConditions: _, ...noAlarm } = specs()['az-isolation'] as FisFaultSpecInput & { stopConditions?: string[] };
    const err = refusal('az-isolation', noAlarm as FisFaultSpecInput);
    expect(err.problems).toEqual([expect.stringMatching(/^az-isolation: stopConditions: .*CloudWatch alarm.*stopConditionWaiver/)]);
  });

  it('a disk fill of 96%', () => {
    const err = refusal('disk-full', { ...specs()['disk-full'], percent: 96 } as FisFaultSpecInput);
    expect(err.problems).toEqual([expect.stringMatching(/^disk-full: percent: at most 95: .*roll the disk fill back/)]);
  });

  it('pod-delete targets given as ARNs', () => {
    const spec = specs()['eks-pod-kill'] as FisFaultSpecInput & { pods: Record<string, unknown> };
    const err = refusal('eks-pod-kill', { ...spec, pods: { ...spec.pods, resourceArns: [`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod-eks`] } } as FisFaultSpecInput);
    expect(err.problems).toEqual([expect.stringMatching(/^eks-pod-kill: pods\.resourceArns: aws:eks:pod targets are selected by parameters, never by ARNs/)]);
  });

  it('a template outside the FIS API limits (a multi-label selector, PERCENT(500)) is refused before any call', () => {
    const spec = specs()['eks-pod-kill'] as FisFaultSpecInput & { pods: Record<string, unknown> };
    const err = refusal('eks-pod-kill', { ...spec, pods: { ...spec.pods, selectorValue: 'app=a,tier=web' } } as FisFaultSpecInput);
    expect(err.problems).toEqual([expect.stringMatching(/^eks-pod-kill: pods\.selectorValue: FIS takes only letters, digits, spaces and _ \. : \/ = \+ - @ in a target parameter value .* has ","/)]);
    const percent = refusal('eks-pod-kill', { ...spec, pods: { ...spec.pods, selectionMode: 'PERCENT(500)' } } as FisFaultSpecInput);
    expect(percent.problems).toEqual([expect.stringMatching(/^eks-pod-kill: pods\.selectionMode: PERCENT\(n\) takes a percentage from 1 to 100, not 500/)]);
  });

  it('a waiver instead of an alarm is accepted and sent as {source: "none"}', async () => {
    const { stopConditions: _, ...noAlarm } = specs()['az-isolation'] as FisFaultSpecInput & { stopConditions?: string[] };
    const d = new FisDriver({
      runId: 'run-1',
      specs: { 'az-isolation': { ...noAlarm, stopConditionWaiver: { reason: 'staging drill, the alarm is being rebuilt' } } as FisFaultSpecInput },
      clientConfig: emulatorClientConfig(),
      pollIntervalMs: 2,
    });
    const injected = await d.inject(request('az-isolation'));
    const template = emulator.template(injected.applied[0].ref);
    expect(template.stopConditions).toEqual([{ source: 'none' }]);
    expect(template.description).toContain('staging drill, the alarm is being rebuilt');
  });
});

describe('gameday fis <spec> --dry-run', () => {
  it('prints the template JSON and makes no HTTP call', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-fis-'));
    try {
      const file = path.join(dir, 'checkout-disk.yaml');
      fs.writeFileSync(file, YAML.stringify(specs()['disk-full']));
      let printed = '';
      const before = fis.requests();
      const result = await fisDryRun(file, { write: (t) => (printed += t) });
      expect(fis.requests()).toBe(before);
      expect(JSON.parse(printed)).toEqual(result.template);
      expect(result.template).toEqual(buildExperimentTemplate(specs()['disk-full'], { runId: 'dry-run', faultName: 'checkout-disk' }));
      expect(result.template.actions!['fill-disk'].actionId).toBe('aws:ssm:send-command');
      // the counter does count: one real SDK call is one request
      await new FisClient(emulatorClientConfig()).send(new ListExperimentsCommand({}));
      expect(fis.requests()).toBe(before + 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a template over the FIS API limits is not printed: the spec field and the limit are named', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-fis-'));
    try {
      const file = path.join(dir, 'too-many.yaml');
      const arns = [1, 2, 3, 4, 5, 6].map((i) => `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcde${i}`);
      fs.writeFileSync(file, YAML.stringify({ ...specs()['disk-full'], instances: { resourceArns: arns }, description: '' }));
      let printed = '';
      const err = await fisDryRun(file, { write: (t) => (printed += t) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FisSpecError);
      expect(printed).toBe('');
      expect((err as FisSpecError).problems).toEqual([
        'description: FIS requires a description of 1 to 512 characters: it is empty (template description)',
        'instances.resourceArns: FIS takes at most 5 resourceArns in a target: this has 6 (select by resourceTags, or split the fault) (template targets.instances.resourceArns)',
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid spec file is refused with the file, the path and the fix', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-fis-'));
    try {
      const file = path.join(dir, 'bad.yaml');
      fs.writeFileSync(file, YAML.stringify({ ...specs()['disk-full'], region: undefined, percent: 100 }));
      const err = await fisDryRun(file, { write: () => undefined }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FisSpecError);
      expect((err as Error).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the FIS fault spec is not valid`));
      expect((err as FisSpecError).problems).toEqual([expect.stringMatching(/^region: required: .*us-east-1/), expect.stringMatching(/^percent: at most 95/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('as a command: prints with --dry-run (exit 0), refuses without it or with an invalid spec (exit 3)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-fis-'));
    const out: string[] = [];
    const err: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
    try {
      const good = path.join(dir, 'throttle.json');
      fs.writeFileSync(good, JSON.stringify(specs()['ec2-throttle']));
      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify({ ...specs()['ec2-throttle'], percentage: 0 }));
      const exit = async (args: string[]) => {
        let code = -1;
        await fisCommand((c) => (code = c)).parseAsync(args, { from: 'user' });
        return code;
      };
      const before = fis.requests();
      expect(await exit([good, '--dry-run', '--run-id', 'run-9'])).toBe(0);
      expect(JSON.parse(out.join('')).tags[GAMEDAY_TAG.runId]).toBe('run-9');
      expect(await exit([good])).toBe(3);
      expect(err.join('')).toMatch(/only --dry-run/);
      expect(await exit([bad, '--dry-run'])).toBe(3);
      expect(err.join('')).toMatch(/bad\.json: the FIS fault spec is not valid\n {2}- percentage: /);
      expect(fis.requests()).toBe(before);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sweep', () => {
  it('stops the experiments and deletes the templates of dead runs only, across pages', async () => {
    start({ pageSize: 1 });
    const body = (runId: string) => buildExperimentTemplate(specs()['az-isolation'], { runId, faultName: 'az-isolation', owner: runId === 'run-dead' ? '1:1' : '2:2' });
    const dead = emulator.seedLeftover(body('run-dead'), { [GAMEDAY_TAG.runId]: 'run-dead', [GAMEDAY_TAG.fault]: 'az-isolation', [GAMEDAY_TAG.owner]: '1:1' });
    const alive = emulator.seedLeftover(body('run-alive'), { [GAMEDAY_TAG.runId]: 'run-alive', [GAMEDAY_TAG.fault]: 'az-isolation', [GAMEDAY_TAG.owner]: '2:2' });
    const report = await driver().sweep((m) => m.owner === '1:1');
    expect(report.experiments).toEqual([{ region: REGION, id: dead.experimentId, runId: 'run-dead', fault: 'az-isolation', was: 'running', now: 'stopped', stopped: true, error: undefined }]);
    expect(report.templates).toEqual([{ region: REGION, id: dead.templateId, runId: 'run-dead', fault: 'az-isolation', deleted: true }]);
    expect(emulator.experiment(dead.experimentId)!.status).toBe('stopped');
    expect(emulator.experiment(alive.experimentId)!.status).toBe('running');
    expect(emulator.templateIds()).toEqual([alive.templateId]);
    expect(emulator.calls.filter((c) => c.operation === 'ListExperiments').length).toBeGreaterThan(1);
  });

  it('sweeps one run by its id', async () => {
    const body = buildExperimentTemplate(specs()['rds-reboot'], { runId: 'run-x', faultName: 'rds-reboot' });
    const left = emulator.seedLeftover(body, { [GAMEDAY_TAG.runId]: 'run-x', [GAMEDAY_TAG.fault]: 'rds-reboot' }, 'completed');
    const report = await driver().sweep('run-x');
    expect(report.experiments.map((e) => [e.id, e.stopped, e.now])).toEqual([[left.experimentId, false, 'completed']]);
    expect(report.templates.map((t) => [t.id, t.deleted])).toEqual([[left.templateId, true]]);
    expect(emulator.templateIds()).toEqual([]);
  });
});
