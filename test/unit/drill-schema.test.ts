import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { DrillError, formatPath, loadDrill, parseDrill } from '../../src/schema/load.ts';
import { Drill, Ratio, launchedService } from '../../src/schema/drill.ts';
import { k6Duration, parseDuration } from '../../src/schema/duration.ts';

const DEMO = 'examples/partner-hub/drills/baseline.ts';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-drill-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A plain-object drill of the same shape as the demo; every call gives a fresh copy to mutate. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function validDrill(): any {
  return {
    name: 'partner-hub-baseline',
    app: 'APP2',
    target: {
      kind: 'process',
      service: { name: 'partner-hub', command: ['node', 'server.mjs'] },
    },
    load: {
      profiles: [{ profile: 'baseline', rate: 40, duration: '60s' }],
      requests: [
        { name: 'offers', path: '/offers', weight: 3 },
        { name: 'webhook', method: 'POST', path: '/webhooks/acme', webhook: { partner: 'acme' } },
      ],
    },
    partners: [
      {
        name: 'acme',
        webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu',
        behaviours: [
          { at: '0s', latency: '20ms' },
          { at: '20s', status: 429, retryAfter: 1 },
          { at: '40s' },
        ],
      },
    ],
    faults: [{ name: 'hub-latency', action: 'latency', target: 'partner-hub', at: '20s', duration: '20s', latency: '300ms' }],
    slos: [
      { name: 'offers-p95-steady', kind: 'latency', request: 'offers', phase: 'steady', percentile: 95, below: '250ms' },
      { name: 'errors-during-fault', kind: 'error-rate', phase: 'fault', below: '2%' },
    ],
  };
}

/** Writes `raw` as a YAML drill, loads it, and returns the DrillError it must throw. */
async function loadError(raw: unknown, name = `bad-${Math.random().toString(36).slice(2)}.yaml`): Promise<DrillError> {
  const file = write(name, YAML.stringify(raw));
  return expectDrillError(file);
}

async function expectDrillError(file: string): Promise<DrillError> {
  const err = await loadDrill(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `${file} should not load`).toBeInstanceOf(DrillError);
  const de = err as DrillError;
  expect(de.name).toBe('DrillError');
  expect(de.message).toContain(file);
  expect(de.message).toContain('the drill is not valid');
  // every problem is listed in the message
  for (const p of de.problems) expect(de.message).toContain(`  - ${p}`);
  return de;
}

describe('the demo drill', () => {
  it('loads and validates, with durations in ms and defaults filled in', async () => {
    const loaded = await loadDrill(DEMO);
    const d = loaded.drill;
    expect(loaded.file).toBe(path.resolve(DEMO));
    expect(loaded.dir).toBe(path.resolve('examples/partner-hub/drills'));
    expect(loaded.source.equals(fs.readFileSync(DEMO))).toBe(true);

    expect(d.name).toBe('partner-hub-baseline');
    expect(d.app).toBe('APP2');
    expect(d.timeScale).toBe(1);
    expect(d.load.profiles).toHaveLength(1);
    expect(d.load.profiles[0]).toMatchObject({ profile: 'baseline', rate: 40, duration: 60_000, preAllocatedVUs: 30 });
    expect(d.load.requests.map((r) => [r.name, r.method, r.weight])).toEqual([
      ['offers', 'GET', 3],
      ['webhook', 'POST', 1],
    ]);
    expect(d.load.requests[1].webhook).toEqual({ partner: 'acme', scheme: 'standard-webhooks' });
    expect(launchedService(d.target)!.startTimeout).toBe(15_000);
    expect(launchedService(d.target)!.replicas).toBe(2);
    expect(launchedService(d.target)!.command).toEqual(['node', '../server.mjs']);

    expect(d.faults).toHaveLength(1);
    const f = d.faults[0];
    expect(f.at).toBe(20_000);
    expect(f.duration).toBe(20_000);
    expect(f.action).toBe('latency');
    if (f.action !== 'latency') throw new Error('unreachable');
    expect(f.latency).toBe(300);
    expect(f.jitter).toBe(0);

    expect(d.partners[0].behaviours).toEqual([
      { at: 0, status: 200, latency: 20 },
      { at: 20_000, status: 429, retryAfter: 1, latency: 0 },
      { at: 40_000, status: 200, latency: 20 },
    ]);

    const slos = Object.fromEntries(d.slos.map((s) => [s.name, s]));
    expect(slos['offers-p95-steady']).toMatchObject({ kind: 'latency', percentile: 95, below: 250, severity: 'blocking' });
    expect(slos['webhook-acceptance-p95-steady']).toMatchObject({ kind: 'latency', below: 1500 });
    expect(slos['errors-during-fault']).toMatchObject({ kind: 'error-rate', phase: 'fault', below: 0.02 });
    expect(slos['errors-in-recovery']).toMatchObject({ kind: 'error-rate', phase: 'recovery', below: 0.01 });
    expect(slos['offers-p95-fault']).toMatchObject({ severity: 'advisory', below: 1000 });
  });

  it('gives the same drill in its YAML form', async () => {
    const yamlFile = write(
      'baseline.yaml',
      `# the demo drill, written as YAML
name: partner-hub-baseline
app: APP2
description: Partner hub under constant load through a latency fault and a partner 429 storm
target:
  kind: process
  service:
    name: partner-hub
    command: [node, ../server.mjs]
    replicas: 2
    zones: [a, b]
    env:
      PARTNER_URL: "{{partners.acme.url}}"
      WEBHOOK_SECRETS: "{{webhookSecrets}}"
    healthPath: /healthz
load:
  profiles:
    - profile: baseline
      rate: 40
      duration: 60s
      preAllocatedVUs: 30
  requests:
    - { name: offers, method: GET, path: /offers, weight: 3 }
    - name: webhook
      method: POST
      path: /webhooks/acme
      weight: 1
      webhook: { partner: acme }
partners:
  - name: acme
    webhookSecret: whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu
    behaviours:
      - { at: 0s, status: 200, latency: 20ms }
      - { at: 20s, status: 429, retryAfter: 1 }
      - { at: 40s, status: 200, latency: 20ms }
senders:
  - name: acme-webhooks
    partner: acme
    path: /webhooks/acme
    at: 5s
    duration: 50s
    rate: 4
    mix: { valid: 6, wrong-secret: 1, tampered-body: 1, stale-timestamp: 1, replayed-id: 1 }
    appliedPath: "/webhooks/acme/{id}"
faults:
  - name: hub-latency
    driver: toxiproxy
    action: latency
    target: partner-hub
    at: 20s
    duration: 20s
    latency: 300ms
    jitter: 0ms
slos:
  - { name: offers-p95-steady, kind: latency, request: offers, phase: steady, percentile: 95, below: 250ms }
  - { name: webhook-acceptance-p95-steady, kind: latency, request: webhook, phase: steady, percentile: 95, below: 1500ms }
  - { name: errors-during-fault, kind: error-rate, phase: fault, below: 2% }
  - { name: errors-in-recovery, kind: error-rate, phase: recovery, below: 1% }
  - { name: offers-p95-fault, kind: latency, request: offers, phase: fault, percentile: 95, below: 1000ms, severity: advisory }
  - name: recovery-after-latency
    kind: recovery-time
    fault: hub-latency
    sli: { metric: latency, percentile: 95, below: 250ms }
    within: 10s
    hold: 3s
  - { name: error-budget, kind: error-budget-burn, objective: 99.5%, maxBurn: 50% }
  - { name: retry-after-honoured, kind: journal, figure: retry-after-honoured, partner: acme, atLeast: 99% }
  - { name: forged-webhooks-accepted, kind: journal, figure: forged-accepted, partner: acme, atMost: 0 }
  - { name: valid-webhooks-rejected, kind: journal, figure: valid-rejected, partner: acme, atMost: 0 }
  - { name: replays-applied-twice, kind: journal, figure: idempotency-violations, partner: acme, atMost: 0 }
`,
    );
    const [fromTs, fromYaml] = await Promise.all([loadDrill(DEMO), loadDrill(yamlFile)]);
    expect(fromYaml.drill).toStrictEqual(fromTs.drill);
    expect(fromYaml.dir).toBe(tmp);
    expect(fromYaml.source.toString('utf8')).toContain('# the demo drill, written as YAML');
  });

  it('gives the same drill in its JSON form', async () => {
    const fromTs = await loadDrill(DEMO);
    const jsonFile = write('baseline.json', JSON.stringify(fromTs.drill));
    expect((await loadDrill(jsonFile)).drill).toStrictEqual(fromTs.drill);
  });

  it('accepts the plain validDrill() fixture and fills its defaults', async () => {
    const loaded = await loadDrill(write('fixture.yml', YAML.stringify(validDrill())));
    const d = loaded.drill;
    expect(d.timeScale).toBe(1);
    expect(launchedService(d.target)!).toMatchObject({ replicas: 1, zones: ['a'], env: {}, healthPath: '/healthz', startTimeout: 15_000 });
    expect(d.load.profiles).toEqual([expect.objectContaining({ profile: 'baseline', rate: 40, duration: 60_000 })]);
    expect(d.load.requests[0]).toMatchObject({ method: 'GET', weight: 3 });
    expect(d.load.requests[1]).toMatchObject({ method: 'POST', weight: 1 });
    expect(d.faults[0]).toMatchObject({ driver: 'toxiproxy', jitter: 0, latency: 300 });
    expect(d.partners[0].behaviours.map((b) => [b.at, b.status, b.latency])).toEqual([
      [0, 200, 20],
      [20_000, 429, 0],
      [40_000, 200, 0],
    ]);
    expect(d.slos.map((s) => s.severity)).toEqual(['blocking', 'blocking']);
  });

  it('takes numbers as milliseconds', () => {
    const raw = validDrill();
    raw.load.profiles[0].duration = 90_000;
    raw.faults[0].at = 1500;
    raw.faults[0].duration = 2500;
    const d = parseDrill(raw, 'numbers.yaml');
    expect(d.load.profiles[0]).toMatchObject({ duration: 90_000 });
    expect(d.faults[0].at).toBe(1500);
    expect(d.faults[0].duration).toBe(2500);
  });
});

describe('invalid drills', () => {
  /** Loads `raw` and checks that the only problem is at `where` and says `what`. */
  async function onlyProblem(raw: unknown, where: string, what: RegExp | string): Promise<DrillError> {
    const err = await loadError(raw);
    expect(err.problems, err.message).toHaveLength(1);
    const [problem] = err.problems;
    expect(problem.startsWith(`${where}: `), problem).toBe(true);
    if (typeof what === 'string') expect(problem).toContain(what);
    else expect(problem).toMatch(what);
    expect(err.message).toContain(`${where}: `);
    return err;
  }

  it('rejects an unknown duration string, naming the path and the accepted forms', async () => {
    const raw = validDrill();
    raw.load.profiles[0].duration = '10 sec';
    await onlyProblem(raw, 'load.profiles[0].duration', '"10 sec" is not a duration: write e.g. "250ms", "30s"');
  });

  it('rejects an unknown duration deep inside an SLO', async () => {
    const raw = validDrill();
    raw.slos[0].below = '250 millis';
    await onlyProblem(raw, 'slos[0].below', '"250 millis" is not a duration');
  });

  it('rejects a negative duration given as a number', async () => {
    const raw = validDrill();
    raw.faults[0].latency = -5;
    const err = await loadError(raw);
    expect(err.problems.some((p) => p.startsWith('faults[0].latency: '))).toBe(true);
  });

  it('rejects a negative rate', async () => {
    const raw = validDrill();
    raw.load.profiles[0].rate = -5;
    await onlyProblem(raw, 'load.profiles[0].rate', /(>0|positive|too small)/i);
  });

  it('rejects a rate of zero', async () => {
    const raw = validDrill();
    raw.load.profiles[0].rate = 0;
    await onlyProblem(raw, 'load.profiles[0].rate', /(>0|positive|too small)/i);
  });

  it('rejects an SLO on a request that the load does not make, listing the requests', async () => {
    const raw = validDrill();
    raw.slos[0].request = 'checkout';
    await onlyProblem(raw, 'slos[0].request', 'no request named "checkout" in load.requests (offers, webhook)');
  });

  it('rejects a fault targeting an unknown service', async () => {
    const raw = validDrill();
    raw.faults[0].target = 'billing';
    await onlyProblem(raw, 'faults[0].target', 'no service named "billing": the drill\'s service is "partner-hub"');
  });

  it('rejects a webhook request from a partner that is not declared', async () => {
    const raw = validDrill();
    raw.load.requests[1].webhook.partner = 'globex';
    await onlyProblem(raw, 'load.requests[1].webhook.partner', 'no partner named "globex": add it under partners');
  });

  it('rejects a webhook request from a partner without webhookSecret, pointing at the partner', async () => {
    const raw = validDrill();
    delete raw.partners[0].webhookSecret;
    await onlyProblem(raw, 'partners[0].webhookSecret', 'partner "acme" signs webhooks, so it needs a webhookSecret');
  });

  describe('key rotation', () => {
    const PREVIOUS = 'whsec_ZnRxjYSamUlXfAHgRzcgLslJfscncBOurmVIiWJsuUA=';
    const withSender = (mix: Record<string, number>) => {
      const raw = validDrill();
      raw.senders = [{ name: 'acme-webhooks', partner: 'acme', path: '/webhooks/acme', at: '5s', duration: '50s', rate: 4, mix }];
      return raw;
    };

    it('accepts a partner with previousWebhookSecret and rotation, and an old-key-after-rotation sender running past the retirement', () => {
      const raw = withSender({ valid: 4, 'old-key-after-rotation': 1 });
      Object.assign(raw.partners[0], { previousWebhookSecret: PREVIOUS, rotation: { at: '10s', overlap: '20s' } });
      expect(parseDrill(raw, 'x.yaml').partners[0].rotation).toEqual({ at: 10_000, overlap: 20_000 });
    });

    it('refuses old-key-after-rotation when the partner rotates no key: a key the SUT never held is just a wrong secret', async () => {
      await onlyProblem(withSender({ valid: 4, 'old-key-after-rotation': 1 }), 'senders[0].mix.old-key-after-rotation', 'give partner "acme" previousWebhookSecret and rotation: { at, overlap }');
    });

    it('refuses a sender that stops before the old key is retired', async () => {
      const raw = withSender({ valid: 4, 'old-key-after-rotation': 1 });
      Object.assign(raw.partners[0], { previousWebhookSecret: PREVIOUS, rotation: { at: '40s', overlap: '15s' } });
      await onlyProblem(raw, 'senders[0].duration', 'is retired (at 55000 ms): run the sender past it');
    });

    it('needs both halves, a real overlap inside the load, a previous secret that differs; the rotation object is strict', async () => {
      const raw = validDrill();
      raw.partners[0].rotation = { at: '10s', overlap: '20s' };
      await onlyProblem(raw, 'partners[0].previousWebhookSecret', 'a rotation replaces a previous secret');
      const noRotation = validDrill();
      noRotation.partners[0].previousWebhookSecret = PREVIOUS;
      await onlyProblem(noRotation, 'partners[0].rotation', 'rotation: { at, overlap }');
      const same = validDrill();
      Object.assign(same.partners[0], { previousWebhookSecret: same.partners[0].webhookSecret, rotation: { at: '10s', overlap: '20s' } });
      await onlyProblem(same, 'partners[0].previousWebhookSecret', 'must differ from webhookSecret');
      const late = validDrill();
      Object.assign(late.partners[0], { previousWebhookSecret: PREVIOUS, rotation: { at: '50s', overlap: '20s' } });
      await onlyProblem(late, 'partners[0].rotation.overlap', 'the overlap ends after the load does');
      const typo = validDrill();
      Object.assign(typo.partners[0], { previousWebhookSecret: PREVIOUS, rotation: { at: '10s', overlap: '20s', retireAt: '30s' } });
      const err = await loadError(typo);
      expect(err.message).toMatch(/partners\[0\]\.rotation.*retireAt/s);
      const malformed = validDrill();
      Object.assign(malformed.partners[0], { previousWebhookSecret: 'old-secret', rotation: { at: '10s', overlap: '20s' } });
      await onlyProblem(malformed, 'partners[0].previousWebhookSecret', 'write "whsec_<base64>" or "env:VARIABLE_NAME"');
    });
  });

  it('accepts a partner without webhookSecret when no request signs webhooks from it', () => {
    const raw = validDrill();
    delete raw.partners[0].webhookSecret;
    raw.load.requests.pop();
    expect(parseDrill(raw, 'x.yaml').partners[0].webhookSecret).toBeUndefined();
  });

  it('rejects a malformed webhookSecret but accepts env:VARIABLE', async () => {
    const raw = validDrill();
    raw.partners[0].webhookSecret = 'hunter2';
    await onlyProblem(raw, 'partners[0].webhookSecret', 'write "whsec_<base64>" or "env:VARIABLE_NAME"');
    const ok = validDrill();
    ok.partners[0].webhookSecret = 'env:ACME_WEBHOOK_SECRET';
    expect(parseDrill(ok, 'x.yaml').partners[0].webhookSecret).toBe('env:ACME_WEBHOOK_SECRET');
  });

  it('rejects behaviours out of order, naming the behaviour', async () => {
    const raw = validDrill();
    raw.partners[0].behaviours[2].at = '10s';
    await onlyProblem(raw, 'partners[0].behaviours[2].at', 'behaviours must be in order of "at"');
  });

  it('rejects two behaviours at the same time', async () => {
    const raw = validDrill();
    raw.partners[0].behaviours[2].at = '20s';
    await onlyProblem(raw, 'partners[0].behaviours[2].at', 'each later than the one before');
  });

  it('rejects a first behaviour that does not start at 0s', async () => {
    const raw = validDrill();
    raw.partners[0].behaviours[0].at = '1s';
    await onlyProblem(raw, 'partners[0].behaviours[0].at', 'the first behaviour must start at "0s"');
  });

  it('rejects a fault that ends after the load, saying when it must end', async () => {
    const raw = validDrill();
    raw.faults[0].duration = '41s';
    const err = await onlyProblem(raw, 'faults[0].duration', 'the fault ends after the load does');
    expect(err.problems[0]).toContain('60000 ms');
  });

  it('accepts a fault that ends exactly with the load', () => {
    const raw = validDrill();
    raw.faults[0].duration = '40s';
    expect(parseDrill(raw, 'x.yaml').faults[0].duration).toBe(40_000);
  });

  it('rejects a fault of zero duration', async () => {
    const raw = validDrill();
    raw.faults[0].duration = '0s';
    await onlyProblem(raw, 'faults[0].duration', 'a fault needs a duration above 0');
  });

  it('rejects duplicate fault names, naming the second one', async () => {
    const raw = validDrill();
    raw.faults[0].duration = '5s';
    raw.faults.push({ name: 'hub-latency', action: 'down', target: 'partner-hub', at: '30s', duration: '5s' });
    await onlyProblem(raw, 'faults[1].name', 'fault names must be unique: "hub-latency" is also faults[0].name: rename one of them');
  });

  it('rejects an unknown fault action', async () => {
    const raw = validDrill();
    raw.faults[0].action = 'explode';
    const err = await loadError(raw);
    expect(err.problems.some((p) => p.startsWith('faults[0].action: '))).toBe(true);
  });

  it('rejects a drill without slos', async () => {
    const raw = validDrill();
    delete raw.slos;
    const err = await onlyProblem(raw, 'slos', /expected array/i);
    expect(err.message).toContain('slos: ');
  });

  it('rejects a drill with an empty slos list, explaining why', async () => {
    const raw = validDrill();
    raw.slos = [];
    await onlyProblem(raw, 'slos', 'a drill needs at least one SLO: without one there is nothing to decide');
  });

  it('rejects a phase "fault" or "recovery" SLO in a drill without faults or partner outages, but allows "steady"', async () => {
    const raw = validDrill();
    delete raw.faults;
    raw.partners[0].behaviours = [{ at: '0s', latency: '20ms' }];
    raw.slos.push({ name: 'recovery-errors', kind: 'error-rate', phase: 'recovery', below: 0.01 });
    const err = await loadError(raw);
    expect(err.problems).toEqual([
      'slos[1].phase: phase "fault" never happens: the drill has no faults and no partner outage',
      'slos[2].phase: phase "recovery" never happens: the drill has no faults and no partner outage',
    ]);
    // the partner's 429 storm is a fault window: the phases happen
    const storm = validDrill();
    delete storm.faults;
    storm.slos.push({ name: 'recovery-errors', kind: 'error-rate', phase: 'recovery', below: 0.01 });
    expect(parseDrill(storm, 'x.yaml').slos).toHaveLength(3);
    const ok = validDrill();
    ok.faults = [];
    ok.slos.pop();
    expect(parseDrill(ok, 'x.yaml').slos).toHaveLength(1);
  });

  it('lets recovery-time, backlog-drain and afterFault name a partner outage, and names them all when one is unknown', async () => {
    const raw = validDrill();
    raw.partners[0].routes = [{ method: 'GET', path: '/offers', behaviours: [{ at: '0s' }, { at: '10s', kind: 'hang' }, { at: '15s' }, { at: '50s', status: 503 }] }];
    raw.slos.push(
      { name: 'back-after-storm', kind: 'recovery-time', fault: 'partner:acme', sli: { metric: 'error-rate', below: '1%' }, within: '10s' },
      { name: 'back-after-hang', kind: 'recovery-time', fault: 'partner:acme GET /offers', sli: { metric: 'error-rate', below: '1%' }, within: '10s' },
      { name: 'queue-drained', kind: 'backlog-drain', fault: 'partner:acme GET /offers #2', metric: 'backlog', atMost: 0, within: '5s' },
      { name: 'server-errors-after', kind: 'prometheus', query: 'up', afterFault: 'partner:acme', within: '10s', atLeast: 1 },
    );
    raw.telemetry = { prometheus: { url: 'http://127.0.0.1:9090' } };
    expect(parseDrill(raw, 'x.yaml').slos).toHaveLength(6);
    raw.slos[5].afterFault = 'partner:zeta';
    await onlyProblem(raw, 'slos[5].afterFault', 'no fault or partner outage named "partner:zeta"');
    raw.slos[5].afterFault = 'partner:acme';
    raw.slos.push({ name: 'typo', kind: 'recovery-time', fault: 'partner:acme GET /ofers', sli: { metric: 'error-rate', below: '1%' }, within: '10s' });
    await onlyProblem(raw, 'slos[6].fault', 'no fault or partner outage named "partner:acme GET /ofers" in faults (hub-latency) or among the partner outages ("partner:acme GET /offers", "partner:acme GET /offers #2", "partner:acme")');
    const bad = validDrill();
    bad.slos.push({ name: 'typo', kind: 'recovery-time', fault: 'Partner acme', sli: { metric: 'error-rate', below: '1%' }, within: '10s' });
    await onlyProblem(bad, 'slos[2].fault', 'name a fault of faults ("hub-latency") or a partner outage ("partner:acme GET /offers")');
  });

  it('rejects an error-rate SLO whose ratio is above 100%', async () => {
    const raw = validDrill();
    raw.slos[1].below = '150%';
    await onlyProblem(raw, 'slos[1].below', '"150%" is not a ratio');
  });

  it('rejects a bad slug, naming where it is', async () => {
    const raw = validDrill();
    raw.load.requests[0].name = 'Offers List';
    raw.slos[0].request = 'Offers List';
    const err = await loadError(raw);
    expect(err.problems.some((p) => p.startsWith('load.requests[0].name: use lowercase letters, digits and dashes'))).toBe(true);
  });

  it('lists every problem of a drill with several', async () => {
    const raw = validDrill();
    raw.load.profiles[0].rate = -1;
    raw.load.profiles[0].duration = '1 minute';
    raw.slos[0].percentile = 100;
    const err = await loadError(raw);
    const paths = err.problems.map((p) => p.slice(0, p.indexOf(': ')));
    expect(paths).toEqual(expect.arrayContaining(['load.profiles[0].rate', 'load.profiles[0].duration', 'slos[0].percentile']));
  });

  it('parseDrill names the given file in its error', () => {
    const raw = validDrill();
    raw.faults[0].target = 'nope';
    expect(() => parseDrill(raw, 'drills/weird.yaml')).toThrowError(/^drills\/weird\.yaml: the drill is not valid\n {2}- faults\[0\]\.target: /);
  });
});

describe('unreadable drill files', () => {
  it('reports a YAML syntax error with its line', async () => {
    const file = write(
      'syntax.yaml',
      ['name: broken', 'app: APP2', 'load:', '  rate: 40', '  requests: [', '    { name: offers, path: /offers', 'slos: []', ''].join('\n'),
    );
    const err = await expectDrillError(file);
    // the unclosed flow collections are reported where the next key starts
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) expect(p).toMatch(/^line 7: /);
  });

  it('reports the line of a bad indentation', async () => {
    const file = write('indent.yaml', 'name: x\napp: APP2\nload:\n  rate: 40\n duration: 60s\n');
    const err = await expectDrillError(file);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^line 5: .*same column/);
  });

  it('refuses an unknown file type', async () => {
    const file = write('drill.txt', YAML.stringify(validDrill()));
    const err = await expectDrillError(file);
    expect(err.problems).toEqual(['unknown file type ".txt": use .ts, .js, .yaml, .yml or .json']);
  });

  it('reports a missing file with its error code', async () => {
    const missing = path.join(tmp, 'does-not-exist.yaml');
    const err = await expectDrillError(missing);
    expect(err.problems).toEqual(['cannot read the file: ENOENT']);
  });

  it('refuses a TypeScript module without a default export', async () => {
    const file = write('no-default.ts', `export const drill = ${JSON.stringify(validDrill())};\n`);
    const err = await expectDrillError(file);
    expect(err.problems).toEqual(['the module has no default export: write `export default defineDrill({ ... })`']);
  });

  it('reports a module that throws while loading', async () => {
    const file = write('throws.mjs', `throw new Error('kaboom in drill');\nexport default {};\n`);
    const err = await expectDrillError(file);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^the module could not be loaded: .*kaboom in drill/);
  });

  it('validates the default export of a JavaScript module', async () => {
    const good = write('good.mjs', `export default ${JSON.stringify(validDrill())};\n`);
    expect((await loadDrill(good)).drill.load.profiles[0]).toMatchObject({ duration: 60_000 });
    const raw = validDrill();
    raw.load.profiles[0].rate = -3;
    const bad = write('bad.mjs', `export default ${JSON.stringify(raw)};\n`);
    const err = await expectDrillError(bad);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^load\.profiles\[0\]\.rate: /);
  });
});

describe('formatPath', () => {
  it('renders zod paths the way drill authors write them', () => {
    expect(formatPath(['load', 'requests', 0, 'webhook', 'partner'])).toBe('load.requests[0].webhook.partner');
    expect(formatPath(['slos', 3])).toBe('slos[3]');
    expect(formatPath(['name'])).toBe('name');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['0s', 0],
    ['1h2m3s4ms', 3_723_004],
    ['  45s ', 45_000],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '10', '10 sec', 's', '-5s', '1d', '1.5.5s', '1m 30s', '30S', 'abc', '.5s', '5s!'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('k6Duration renders whole, non-negative milliseconds', () => {
    expect(k6Duration(1500)).toBe('1500ms');
    expect(k6Duration(1499.6)).toBe('1500ms');
    expect(k6Duration(-20)).toBe('0ms');
  });
});

describe('Ratio', () => {
  it.each([
    ['2%', 0.02],
    [' 2% ', 0.02],
    ['0.5%', 0.005],
    ['100%', 1],
    [0.5, 0.5],
    [0, 0],
    [1, 1],
  ])('%j is %d', (input, expected) => {
    const r = Ratio.safeParse(input);
    expect(r.success).toBe(true);
    expect(r.data).toBeCloseTo(expected, 12);
  });

  it.each(['150%', 1.5, -0.1, '0.5', '-2%', '2 %', 'two percent', '%'])('%j is not a ratio', (input) => {
    const r = Ratio.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toContain('is not a ratio');
  });
});

describe('Drill schema', () => {
  it('is usable directly with safeParse', () => {
    expect(Drill.safeParse(validDrill()).success).toBe(true);
    const raw = validDrill();
    raw.timeScale = 0;
    expect(Drill.safeParse(raw).success).toBe(false);
  });
});
