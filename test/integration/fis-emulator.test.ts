// The FIS API emulator, seen through the real @aws-sdk/client-fis: the validation errors FIS
// returns (ValidationException, HTTP 400, {"message"}), its state machine and clientToken
// idempotency. If the emulator accepted anything, the driver tests would prove nothing.
import {
  CreateExperimentTemplateCommand,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  FisClient,
  type CreateExperimentTemplateCommandInput,
} from '@aws-sdk/client-fis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildExperimentTemplate } from '../../chaos/fis/templates.ts';
import type { FisFaultSpecInput } from '../../src/schema/fis.ts';
import { emulatorClientConfig, isoSeconds, startFisEmulator, type RunningFisEmulator } from '../support/fis-emulator.ts';

const ACCOUNT = '123456789012';
const BASE = { region: 'us-east-1', roleArn: `arn:aws:iam::${ACCOUNT}:role/gameday-fis`, stopConditions: [`arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:checkout-5xx`] };

const POD_KILL: FisFaultSpecInput = {
  ...BASE,
  fault: 'pod-kill',
  via: 'eks-pod-delete',
  pods: { clusterIdentifier: 'prod-eks', namespace: 'checkout', selectorType: 'labelSelector', selectorValue: 'app=checkout' },
  kubernetesServiceAccount: 'fis-pod-delete',
};
const DISK_FILL: FisFaultSpecInput = { ...BASE, fault: 'disk-full', instances: { resourceTags: { role: 'ledger' } }, percent: 90, duration: '5m' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mutable = any;

function template(spec: FisFaultSpecInput, token: string): CreateExperimentTemplateCommandInput & Mutable {
  return { ...structuredClone(buildExperimentTemplate(spec, { runId: 'run-e', faultName: 'f' })), clientToken: token };
}

let fis: RunningFisEmulator;
let client: FisClient;
let n = 0;
const token = () => `token-${++n}`;

beforeAll(() => {
  fis = startFisEmulator();
  client = new FisClient(emulatorClientConfig());
});
afterEach(() => {
  fis.close();
  fis = startFisEmulator();
});
afterAll(() => fis.close());

async function rejection(input: CreateExperimentTemplateCommandInput) {
  const err = (await client.send(new CreateExperimentTemplateCommand(input)).then(
    () => null,
    (e: unknown) => e,
  )) as { name: string; message: string; $metadata: { httpStatusCode: number }; $fault: string } | null;
  expect(err).not.toBeNull();
  return err!;
}

describe('validation errors as FIS returns them', () => {
  it('accepts the generated template as it is', async () => {
    const out = await client.send(new CreateExperimentTemplateCommand(template(POD_KILL, token())));
    expect(out.experimentTemplate?.id).toMatch(/^EXT/);
    expect(out.experimentTemplate?.creationTime).toBeInstanceOf(Date);
  });

  it('an unknown actionId: ValidationException, HTTP 400', async () => {
    const t = template(POD_KILL, token());
    t.actions['delete-pods'].actionId = 'aws:eks:pod-kill';
    const err = await rejection(t);
    expect(err.name).toBe('ValidationException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$fault).toBe('client');
    expect(err.message).toMatch(/aws:eks:pod-kill.*does not exist/);
  });

  it('a missing required parameter (pod-delete without kubernetesServiceAccount)', async () => {
    const t = template(POD_KILL, token());
    delete t.actions['delete-pods'].parameters.kubernetesServiceAccount;
    const err = await rejection(t);
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/missing required parameter "kubernetesServiceAccount"/);
  });

  it('a missing required target parameter (pods without a selectorValue)', async () => {
    const t = template(POD_KILL, token());
    delete t.targets.pods.parameters.selectorValue;
    expect((await rejection(t)).message).toMatch(/selectorValue is required/);
  });

  it('a pod-delete target given ARNs', async () => {
    const t = template(POD_KILL, token());
    t.targets.pods.resourceArns = [`arn:aws:eks:us-east-1:${ACCOUNT}:cluster/prod-eks`];
    const err = await rejection(t);
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/aws:eks:pod targets cannot be specified using resourceArns/);
  });

  it('a disk fill Percent above 100', async () => {
    const t = template(DISK_FILL, token());
    const params = JSON.parse(t.actions['fill-disk'].parameters.documentParameters);
    t.actions['fill-disk'].parameters.documentParameters = JSON.stringify({ ...params, Percent: '101' });
    const err = await rejection(t);
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/Percent must be an integer from 0 to 100/);
    // 100 itself is FIS's to allow (gameday refuses more than 95 before calling)
    t.actions['fill-disk'].parameters.documentParameters = JSON.stringify({ ...params, Percent: '100' });
    t.clientToken = token();
    await expect(client.send(new CreateExperimentTemplateCommand(t))).resolves.toBeDefined();
  });

  it('a stop condition without a source', async () => {
    const t = template(POD_KILL, token());
    t.stopConditions = [{ value: BASE.stopConditions[0] }];
    const err = await rejection(t);
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/stopConditions\[0\]\.source is required/);
  });

  it('no stop conditions at all', async () => {
    const t = template(POD_KILL, token());
    t.stopConditions = [];
    expect((await rejection(t)).message).toMatch(/stopConditions is required/);
  });

  it('an action pointed at a target of the wrong resource type', async () => {
    const t = template(DISK_FILL, token());
    t.targets.instances.resourceType = 'aws:ec2:subnet';
    expect((await rejection(t)).message).toMatch(/target "instances" is aws:ec2:subnet, aws:ssm:send-command needs aws:ec2:instance/);
  });

  it('a duration outside one minute to 12 hours', async () => {
    const t = template(DISK_FILL, token());
    t.actions['fill-disk'].parameters.duration = 'PT30S';
    expect((await rejection(t)).message).toMatch(/from one minute to 12 hours/);
  });

  it('refuses a request that is not signed for fis in this Region', async () => {
    const res = await fetch('https://fis.us-east-1.amazonaws.com/experiments');
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException');
    const otherRegion = new FisClient({ ...emulatorClientConfig(), region: 'eu-west-1' });
    await expect(otherRegion.send(new GetExperimentCommand({ id: 'EXP1' }))).rejects.toMatchObject({ name: 'IncompleteSignatureException' });
  });
});

describe('state machine and idempotency', () => {
  it('pending → initiating → running; stop → stopping → stopped; a finished experiment cannot be stopped', async () => {
    const created = await client.send(new CreateExperimentTemplateCommand(template(POD_KILL, token())));
    const started = await client.send(new StartExperimentCommand({ experimentTemplateId: created.experimentTemplate!.id, clientToken: token() }));
    const id = started.experiment!.id!;
    const seen = [started.experiment!.state!.status];
    for (let i = 0; i < 3; i++) seen.push((await client.send(new GetExperimentCommand({ id }))).experiment!.state!.status);
    expect(seen).toEqual(['pending', 'initiating', 'running', 'running']);
    expect((await client.send(new StopExperimentCommand({ id }))).experiment!.state!.status).toBe('stopping');
    expect((await client.send(new GetExperimentCommand({ id }))).experiment!.state).toEqual({ status: 'stopped', reason: 'Experiment stopped.' });
    await expect(client.send(new StopExperimentCommand({ id }))).rejects.toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 409 } });
    await expect(client.send(new GetExperimentCommand({ id: 'EXP00000000000999' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });

  it('completes once the actions have run, scaled by msPerActionSecond', async () => {
    fis.close();
    let now = 1_000_000;
    fis = startFisEmulator({ msPerActionSecond: 10, now: () => now });
    const created = await client.send(new CreateExperimentTemplateCommand(template(DISK_FILL, token())));
    const id = (await client.send(new StartExperimentCommand({ experimentTemplateId: created.experimentTemplate!.id, clientToken: token() }))).experiment!.id!;
    const status = async () => (await client.send(new GetExperimentCommand({ id }))).experiment!.state!.status;
    expect([await status(), await status()]).toEqual(['initiating', 'running']);
    now += 299 * 10; // PT5M = 300 s of action time
    expect(await status()).toBe('running');
    now += 10;
    expect(await status()).toBe('completed');
  });

  it('the same clientToken returns the same template and experiment; with other parameters it is a conflict', async () => {
    const t = template(POD_KILL, 'same-token');
    const a = await client.send(new CreateExperimentTemplateCommand(t));
    const b = await client.send(new CreateExperimentTemplateCommand(t));
    expect(b.experimentTemplate!.id).toBe(a.experimentTemplate!.id);
    expect(fis.emulator.templateIds()).toHaveLength(1);
    await expect(client.send(new CreateExperimentTemplateCommand({ ...t, description: 'other' }))).rejects.toMatchObject({ name: 'ConflictException' });

    const start = { experimentTemplateId: a.experimentTemplate!.id, clientToken: 'start-token' };
    const e1 = await client.send(new StartExperimentCommand(start));
    const e2 = await client.send(new StartExperimentCommand(start));
    expect(e2.experiment!.id).toBe(e1.experiment!.id);
    expect(fis.emulator.experimentIds()).toHaveLength(1);
  });

  it('parses ISO 8601 durations as FIS writes them', () => {
    expect([isoSeconds('PT1M'), isoSeconds('PT1H30M'), isoSeconds('PT90S'), isoSeconds('PT'), isoSeconds('5m')]).toEqual([60, 5400, 90, null, null]);
  });
});
