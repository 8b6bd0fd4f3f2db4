// driver: fis in a drill: the fis: block is the FIS spec minus the action and the window, checked
// by the drill schema; the blast radius (an endpoint off loopback needs allowRemote naming the
// accounts) is decided before anything is sent.
import { describe, expect, it } from 'vitest';
import { Drill } from '../../src/schema/drill.ts';
import { fisSpecOfFault } from '../../src/schema/fis-drill.ts';
import { planFis } from '../../src/plan/fis.ts';

const ALARM = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx';
const ROLE = 'arn:aws:iam::123456789012:role/gameday-fis';
const azBlock = () => ({ region: 'us-east-1', roleArn: ROLE, stopConditions: [ALARM], subnets: { resourceTags: { zone: 'a' } } });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function drill(fault: Record<string, unknown>, extra: Record<string, unknown> = {}): any {
  return {
    name: 'fis-drill',
    app: 'TEST',
    target: { kind: 'process', service: { name: 'web', command: ['node', 'server.mjs'] } },
    load: { profiles: [{ profile: 'baseline', rate: 10, duration: '3m' }], requests: [{ name: 'home', path: '/' }] },
    // a key given as undefined is left out
    faults: [Object.fromEntries(Object.entries({ name: 'az', driver: 'fis', action: 'az-failure', zone: 'us-east-1a', target: 'web', at: '30s', duration: '1m', fis: azBlock(), ...fault }).filter(([, v]) => v !== undefined))],
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
    ...extra,
  };
}

const issues = (raw: unknown) => {
  const r = Drill.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('driver: fis in the drill schema', () => {
  it('accepts an FIS fault and completes its spec from the fault: action and window', () => {
    const parsed = Drill.parse(drill({}));
    const spec = fisSpecOfFault(parsed.faults[0]);
    expect(spec.ok && spec.spec).toMatchObject({ fault: 'az-failure', via: 'disrupt-connectivity', duration: 60_000, region: 'us-east-1' });
  });

  it('requires the fis: block on driver fis and refuses it on any other driver', () => {
    expect(issues(drill({ fis: undefined }))).toEqual([expect.stringMatching(/^faults\.0\.fis: a driver: fis fault needs its FIS spec/)]);
    const other = issues(drill({ driver: 'process', zone: 'a' }, { target: { kind: 'process', service: { name: 'web', command: ['x'], replicas: 2, zones: ['a', 'b'] } } }));
    expect(other).toEqual([expect.stringMatching(/^faults\.0\.fis: fis: is the spec of a driver: fis fault/)]);
  });

  it('refuses the action and the window inside the block: the fault says them', () => {
    const found = issues(drill({ fis: { ...azBlock(), fault: 'pod-kill', duration: '5m' } }));
    expect(found).toContain("faults.0.fis.fault: the fault's action says what FIS does: remove fis.fault");
    expect(found.some((m) => m.startsWith('faults.0.fis.duration: the fault\'s window says how long FIS acts'))).toBe(true);
  });

  it('needs a stop condition unless waived with a reason', () => {
    const { stopConditions: _, ...noAlarm } = azBlock();
    expect(issues(drill({ fis: noAlarm }))).toEqual([expect.stringMatching(/^faults\.0\.fis\.stopConditions: an FIS experiment needs a CloudWatch alarm/)]);
    expect(issues(drill({ fis: { ...noAlarm, stopConditionWaiver: { reason: 'staging account, nobody else uses it' } } }))).toEqual([]);
  });

  it("a window FIS cannot take is an error on the fault's duration", () => {
    expect(issues(drill({ duration: '20s' }))).toEqual(["faults.0.duration: the fault's window is how long FIS acts: FIS takes a duration from one minute to 12 hours, e.g. \"5m\""]);
  });

  it('an unknown key in the block is an error, with its path', () => {
    expect(issues(drill({ fis: { ...azBlock(), regoin: 'us-east-1' } }))[0]).toMatch(/^faults\.0\.fis: Unrecognized key: "regoin"/);
  });

  it('refuses actions FIS does not carry out for a drill, and parameters of other drivers', () => {
    expect(issues(drill({ action: 'latency', latency: '1s', zone: undefined }))[0]).toMatch(/faults\.0\.driver: the fis driver does not support "latency" \(it supports pod-kill, az-failure, broker-failover, disk-full\)/);
    const podKill = issues(drill({ action: 'pod-kill', zone: undefined, restartAfter: '5s', fis: { region: 'us-east-1', roleArn: ROLE, stopConditions: [ALARM], tasks: { resourceTags: { app: 'web' } }, via: 'ecs-stop-task' } }));
    expect(podKill).toEqual(['faults.0.restartAfter: restartAfter is not an FIS setting: remove it (FIS picks its targets from the fis: block)']);
    const diskFill = { region: 'us-east-1', roleArn: ROLE, stopConditions: [ALARM], instances: { resourceTags: { app: 'web' } } };
    expect(issues(drill({ action: 'disk-full', zone: undefined, percent: 90, fis: diskFill }))).toEqual(['faults.0.percent: the FIS disk fill takes its percent in the fis: block: move it to fis.percent']);
    expect(issues(drill({ action: 'disk-full', zone: undefined, fis: { ...diskFill, percent: 90 } }))).toEqual([]);
    expect(issues(drill({ action: 'pod-kill', zone: undefined, replica: 1, fis: { ...diskFill, instances: undefined, via: 'ecs-stop-task', tasks: { resourceTags: { app: 'web' } } } }))).toEqual([
      'faults.0.replica: FIS picks the pods or tasks from the fis: block (selectionMode): remove replica',
    ]);
  });

  it("az-power-interruption takes the fault's zone as the zone that loses power", () => {
    const fis = { via: 'az-power-interruption', region: 'us-east-1', roleArn: ROLE, stopConditions: [ALARM], instances: { resourceTags: { app: 'web' } } };
    const parsed = Drill.parse(drill({ fis }));
    const spec = fisSpecOfFault(parsed.faults[0]);
    expect(spec.ok && spec.spec).toMatchObject({ availabilityZone: 'us-east-1a', duration: 60_000 });
    expect(issues(drill({ fis: { ...fis, availabilityZone: 'us-east-1b' } }))).toEqual(['faults.0.fis.availabilityZone: the fault\'s zone is "us-east-1a": remove fis.availabilityZone, or make it the same']);
  });

  it('names the service (or broker) as the target', () => {
    expect(issues(drill({ target: 'db' }))).toEqual(['faults.0.target: an FIS fault names what the SLOs watch: write target: "web"']);
  });
});

describe('FIS blast radius', () => {
  const parsed = (extra: Record<string, unknown> = {}) => Drill.parse(drill({}, extra));

  it('a loopback endpoint (an emulator) is allowed without allowRemote', () => {
    const plan = planFis(parsed(), { AWS_ENDPOINT_URL_FIS: 'http://127.0.0.1:4566' });
    expect(plan).toMatchObject({ endpoint: 'http://127.0.0.1:4566', remote: false, regions: ['us-east-1'], accounts: ['123456789012'] });
  });

  it('AWS itself (no override) or a remote endpoint is refused unless allowRemote names every account', () => {
    expect(() => planFis(parsed(), {})).toThrow(/would act on AWS in account\(s\) 123456789012: .*allowRemote: \{ reason: "\.\.\.", awsAccounts: \["123456789012"\] \}/);
    expect(() => planFis(parsed(), { AWS_ENDPOINT_URL: 'https://fis.example.com' })).toThrow(/would act on https:\/\/fis\.example\.com/);
    expect(() => planFis(parsed({ allowRemote: { reason: 'a shared Toxiproxy, approved by SRE' } }), {})).toThrow(/awsAccounts/);
    expect(() => planFis(parsed({ allowRemote: { reason: 'staging game day, approved by SRE', awsAccounts: ['210987654321'] } }), {})).toThrow(/account\(s\) 123456789012, which allowRemote\.awsAccounts \(210987654321\) does not name/);
    const plan = planFis(parsed({ allowRemote: { reason: 'staging game day, approved by SRE', awsAccounts: ['123456789012'] } }), {});
    expect(plan).toMatchObject({ endpoint: null, remote: true, accounts: ['123456789012'] });
  });

  it('AWS_ENDPOINT_URL_FIS wins over AWS_ENDPOINT_URL, as in the SDK', () => {
    expect(planFis(parsed(), { AWS_ENDPOINT_URL_FIS: 'http://localhost:1', AWS_ENDPOINT_URL: 'https://remote.example' })?.remote).toBe(false);
  });

  it('no FIS fault: nothing planned', () => {
    const d = parsed();
    expect(planFis({ ...d, faults: [] }, {})).toBeNull();
  });
});

describe("guards' CloudWatch alarms become the experiments' stop conditions", () => {
  const GUARD_ALARM = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:p99-latency';
  it('adds each guard alarm to every FIS fault (once), and a guard may be FIS-only', () => {
    const raw = drill({}, { guards: [{ name: 'latency-alarm', cloudwatchAlarm: GUARD_ALARM }, { name: 'same', cloudwatchAlarm: ALARM, window: { metric: 'error-rate', above: '50%' } }] });
    const parsed = Drill.parse(raw);
    const plan = planFis(parsed, { AWS_ENDPOINT_URL_FIS: 'http://127.0.0.1:4566' });
    expect(plan).not.toBeNull();
    expect(Object.values(plan!.specs)[0].stopConditions).toEqual([ALARM, GUARD_ALARM]);
  });

  it('a guard alarm makes a waiver wrong, and a guard that watches nothing is refused', () => {
    const waived = { region: 'us-east-1', roleArn: ROLE, stopConditionWaiver: { reason: 'a sandbox account with no alarms' }, subnets: { resourceTags: { zone: 'a' } } };
    expect(issues(drill({ fis: waived }, { guards: [{ name: 'alarm', cloudwatchAlarm: GUARD_ALARM }] }))).toContain(
      "faults.0.fis.stopConditionWaiver: the drill's guards name CloudWatch alarms, which stop this experiment: remove stopConditionWaiver",
    );
    expect(issues(drill({}, { guards: [{ name: 'nothing' }] }))[0]).toMatch(/say what the guard watches: window, prometheus or http \(or a cloudwatchAlarm for FIS faults\)/);
  });
});
