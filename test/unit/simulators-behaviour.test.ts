import { describe, expect, it } from 'vitest';
import { describeIssues, parseDrill } from '../../src/schema/load.ts';
import { planDrill, scalePartner } from '../../src/plan/plan.ts';
import { Behaviour, Partner, PartnersFile, type PartnerInput } from '../../src/schema/partner.ts';
import { behaviourAt } from '../../simulators/behaviour.ts';
import { compileBehaviour, decide, MALFORMED_JSON, retryAfterDate, takeToken, type Memory, type RequestFacts } from '../../simulators/decide.ts';
import { latencyBound, lognormalParams, sampleLatency, Z99 } from '../../simulators/latency.ts';
import { seededRandom } from '../../simulators/random.ts';
import { PartnerRuntime, pathMatcher, UnknownRouteError } from '../../simulators/runtime.ts';

function problems(input: unknown): string[] {
  const r = PartnersFile.safeParse(input);
  return r.success ? [] : describeIssues(r.error.issues);
}

function req(path = '/', headers: Record<string, string> = {}, method = 'GET'): RequestFacts {
  return { method, path, header: (n) => headers[n], remoteAddress: '127.0.0.1' };
}

const text = (u: Uint8Array) => new TextDecoder().decode(u);

describe('partner schema', () => {
  it('keeps the original form: {at, status, retryAfter?, latency?, body?} is a respond, with no kind added', () => {
    const p = Partner.parse({ name: 'acme', behaviours: [{ at: '0s', status: 200, latency: '20ms' }, { at: '20s', status: 429, retryAfter: 1 }] });
    expect(p.behaviours).toEqual([
      { at: 0, status: 200, latency: 20 },
      { at: 20_000, status: 429, retryAfter: 1, latency: 0 },
    ]);
    expect(p.routes).toEqual([]);
  });

  it('parses every kind with its defaults', () => {
    const kinds: PartnerInput['routes'] = [
      { path: '/a', behaviours: [{ kind: 'respond', status: 503, retryAfter: 2, retryAfterDate: true, headers: { 'X-Region': 'eu' } }] },
      { path: '/b', behaviours: [{ kind: 'sequence', steps: [429, { status: 503, retryAfter: 1 }, 200] }] },
      { path: '/c', behaviours: [{ kind: 'rate-limit', rate: 5 }] },
      { path: '/d', behaviours: [{ kind: 'hang' }] },
      { path: '/e', behaviours: [{ kind: 'malformed-json' }] },
      { path: '/f', behaviours: [{ kind: 'reset', latency: '5ms' }] },
      { path: '/g', behaviours: [{ kind: 'close-mid-body' }] },
      { path: '/h', behaviours: [{ kind: 'truncated', fraction: 0.25 }] },
      { path: '/i', behaviours: [{ kind: 'slow-dribble' }] },
      { path: '/j', behaviours: [{ latency: { dist: 'lognormal', p50: '10ms', p99: '90ms' } }] },
    ];
    const p = Partner.parse({ name: 'acme', routes: kinds });
    const b = p.routes.map((r) => r.behaviours[0]);
    expect(p.routes[0]).toMatchObject({ method: '*', path: '/a' });
    expect(b[1]).toMatchObject({ kind: 'sequence', then: 'hold-last', scope: 'route', latency: 0, at: 0 });
    expect(b[2]).toMatchObject({ kind: 'rate-limit', rate: 5, status: 200, limitedStatus: 429 });
    expect(b[5]).toMatchObject({ kind: 'reset', latency: 5 });
    expect(b[6]).toMatchObject({ kind: 'close-mid-body', status: 200, fraction: 0.5 });
    expect(b[8]).toMatchObject({ kind: 'slow-dribble', chunkBytes: 4, interval: 100 });
    expect(b[9]).toMatchObject({ status: 200, latency: { dist: 'lognormal', p50: 10, p99: 90 } });
  });

  it('names the file path of every problem and says how to fix it', () => {
    const found = problems({
      partners: [
        {
          name: 'acme',
          routes: [
            { method: 'FETCH', path: 'offers', behaviours: [{ at: '0s' }] },
            { path: '/x', behaviours: [{ kind: 'teleport' }] },
            { path: '/y', behaviours: [{ latency: '10 sec' }] },
            { path: '/z', behaviours: [{ kind: 'hang', status: 500 }] },
          ],
        },
      ],
    });
    expect(found).toEqual([
      expect.stringMatching(/^partners\[0\]\.routes\[0\]\.method: write one of GET, POST/),
      expect.stringMatching(/^partners\[0\]\.routes\[0\]\.path: write a path like "\/offers"/),
      expect.stringMatching(/^partners\[0\]\.routes\[1\]\.behaviours\[0\]\.kind: unknown behaviour kind: use one of respond, sequence, rate-limit/),
      expect.stringMatching(/^partners\[0\]\.routes\[2\]\.behaviours\[0\]\.latency: "10 sec" is not a duration/),
      'partners[0].routes[3].behaviours[0].status: a hang never answers: remove status',
    ]);
  });

  it('checks the order of every timeline and asks for the seconds of an HTTP-date Retry-After', () => {
    expect(problems({ partners: [{ name: 'a', routes: [{ path: '/x', behaviours: [{ at: '1s' }] }] }] })).toEqual(['partners[0].routes[0].behaviours[0].at: the first behaviour must start at "0s"']);
    expect(problems({ partners: [{ name: 'a', routes: [{ path: '/x', behaviours: [{}, { at: '5s' }, { at: '5s' }] }] }] })).toEqual([
      'partners[0].routes[0].behaviours[2].at: behaviours must be in order of "at", each later than the one before',
    ]);
    expect(problems({ partners: [{ name: 'a', behaviours: [{ retryAfterDate: true }] }] })).toEqual([
      'partners[0].behaviours[0].retryAfterDate: retryAfterDate sends retryAfter as an HTTP-date: give retryAfter (seconds) too',
    ]);
  });

  it('rejects a partner with nothing to answer, duplicate routes and duplicate partners, and the reserved prefix', () => {
    expect(problems({ partners: [{ name: 'a' }] })).toEqual(['partners[0].routes: a partner needs routes (or behaviours for every path)']);
    expect(problems({ partners: [{ name: 'a', routes: [{ method: 'GET', path: '/x', behaviours: [{}] }, { method: 'get', path: '/x', behaviours: [{}] }] }] })).toEqual([
      'partners[0].routes[1].path: route "GET /x" is declared twice: give it another name, method or path',
    ]);
    expect(problems({ partners: [{ name: 'a', behaviours: [{}] }, { name: 'a', behaviours: [{}] }] })).toEqual(['partners[1].name: partner "a" is declared twice: partner names are unique']);
    expect(problems({ partners: [{ name: 'a', routes: [{ path: '/__gameday/x', behaviours: [{}] }] }] })).toEqual(['partners[0].routes[0].path: "/__gameday" is reserved for the control API']);
  });

  it('a drill takes the same partner schema, routes included', () => {
    const drill = parseDrill(
      {
        name: 'd',
        app: 'APP2',
        target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
        load: { profiles: [{ profile: 'baseline', rate: 10, duration: '10s' }], requests: [{ name: 'r', path: '/' }] },
        partners: [{ name: 'acme', routes: [{ method: 'GET', path: '/offers', behaviours: [{ kind: 'sequence', steps: [503, 200] }] }] }],
        slos: [{ name: 's', kind: 'error-rate', below: '1%' }],
      },
      'd.yaml',
    );
    expect(drill.partners[0].routes[0].behaviours[0]).toMatchObject({ kind: 'sequence', at: 0 });
  });
});

describe('planning partners: only `at` is time-scaled', () => {
  const partner = Partner.parse({
    name: 'acme',
    routes: [
      {
        method: 'GET',
        path: '/offers',
        behaviours: [
          { at: '0s', latency: { dist: 'uniform', min: '10ms', max: '30ms' } },
          { at: '10s', kind: 'rate-limit', rate: 4, burst: 2 },
          { at: '20s', kind: 'slow-dribble', interval: '50ms', latency: '100ms' },
          { at: '30s', kind: 'sequence', steps: [{ status: 503, retryAfter: 7 }, 200] },
        ],
      },
    ],
    behaviours: [{ at: '0s' }, { at: '40s', status: 503, retryAfter: 3 }],
  });

  it('scales every `at`, in routes and in the partner-wide timeline', () => {
    const p = scalePartner(partner, 0.1);
    expect(p.routes![0].behaviours.map((b) => b.atMs)).toEqual([0, 1_000, 2_000, 3_000]);
    expect(p.behaviours.map((b) => b.atMs)).toEqual([0, 4_000]);
    expect(p.routes![0]).toMatchObject({ name: 'GET /offers', method: 'GET', path: '/offers' });
  });

  it('leaves latency, rates, intervals, sequences and Retry-After as they are', () => {
    const p = scalePartner(partner, 0.1);
    const [uniform, rate, dribble, seq] = p.routes![0].behaviours;
    expect(uniform.latencyMs).toEqual({ dist: 'uniform', min: 10, max: 30 });
    expect(rate).toMatchObject({ kind: 'rate-limit', rate: 4, burst: 2 });
    expect(dribble).toMatchObject({ kind: 'slow-dribble', interval: 50, latencyMs: 100 });
    expect(seq).toMatchObject({ kind: 'sequence', steps: [{ status: 503, retryAfter: 7 }, 200] });
    expect(p.behaviours[1]).toMatchObject({ status: 503, retryAfter: 3 });
  });

  it('keeps the planned shape of the original single timeline', async () => {
    const drill = parseDrill(
      {
        name: 'd',
        app: 'APP2',
        target: { kind: 'process', service: { name: 'svc', command: ['node', 'x.mjs'] } },
        load: { profiles: [{ profile: 'baseline', rate: 10, duration: '60s' }], requests: [{ name: 'r', path: '/' }] },
        partners: [{ name: 'acme', behaviours: [{ at: '0s', latency: '20ms' }, { at: '20s', status: 429, retryAfter: 1 }] }],
        slos: [{ name: 's', kind: 'error-rate', below: '1%' }],
      },
      'd.yaml',
    );
    const [acme] = planDrill(drill, 0.5).partners;
    expect(acme).toEqual({
      name: 'acme',
      behaviours: [
        { atMs: 0, status: 200, latencyMs: 20 },
        { atMs: 10_000, status: 429, retryAfter: 1, latencyMs: 0 },
      ],
    });
    expect(behaviourAt(acme, 10_000).status).toBe(429);
  });
});

describe('latency', () => {
  it('log-normal parameters come from p50 and p99', () => {
    const { mu, sigma } = lognormalParams(20, 200);
    expect(Math.exp(mu)).toBeCloseTo(20, 9);
    expect(Math.exp(mu + Z99 * sigma)).toBeCloseTo(200, 9);
  });

  it('log-normal samples have the asked median and 99th percentile', () => {
    const random = seededRandom(7);
    const xs = Array.from({ length: 20_000 }, () => sampleLatency({ dist: 'lognormal', p50: 20, p99: 200 }, random)).sort((a, b) => a - b);
    expect(xs[10_000]).toBeGreaterThan(19);
    expect(xs[10_000]).toBeLessThan(21);
    expect(xs[19_800]).toBeGreaterThan(180);
    expect(xs[19_800]).toBeLessThan(220);
    const capped = Array.from({ length: 2_000 }, () => sampleLatency({ dist: 'lognormal', p50: 20, p99: 200, max: 100 }, random));
    expect(Math.max(...capped)).toBe(100);
  });

  it('uniform samples stay within [min, max] and cover it', () => {
    const random = seededRandom(1);
    const xs = Array.from({ length: 5_000 }, () => sampleLatency({ dist: 'uniform', min: 10, max: 30 }, random));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...xs)).toBeLessThanOrEqual(30);
    expect(Math.min(...xs)).toBeLessThan(10.1);
    expect(Math.max(...xs)).toBeGreaterThan(29.9);
    expect(latencyBound({ dist: 'uniform', min: 10, max: 30 })).toBe(30);
    expect(sampleLatency(25, random)).toBe(25);
    expect(sampleLatency({ dist: 'fixed', value: 12 }, random)).toBe(12);
  });
});

describe('decide (pure)', () => {
  const clock = (nowMs = Date.UTC(2026, 0, 1, 12, 0, 0, 250), monoMs = 0) => ({ nowMs, monoMs, random: seededRandom(3) });
  const compiled = (b: unknown) => compileBehaviour(Behaviour.parse(b));

  it('respond: status, headers (lower-cased), body, Retry-After in seconds', () => {
    const d = decide(compiled({ status: 503, retryAfter: 2, headers: { 'X-Region': 'eu' }, body: { down: true } }), req(), clock(), () => undefined);
    expect(d).toMatchObject({ status: 503, retryAfter: 2, retryAfterUntil: null });
    if (d.answer.type !== 'respond') throw new Error('expected respond');
    expect(d.answer.headers).toMatchObject({ 'retry-after': '2', 'x-region': 'eu', 'content-type': 'application/json', 'content-length': '13' });
    expect(text(d.answer.body)).toBe('{"down":true}');
  });

  it('respond: Retry-After as an HTTP-date, rounded up so that it is never earlier than the seconds asked', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0, 250);
    const d = decide(compiled({ status: 429, retryAfter: 2, retryAfterDate: true }), req(), clock(now), () => undefined);
    if (d.answer.type !== 'respond') throw new Error('expected respond');
    expect(d.answer.headers['retry-after']).toBe('Thu, 01 Jan 2026 12:00:03 GMT');
    expect(d.retryAfterUntil).toBe(Date.UTC(2026, 0, 1, 12, 0, 3));
    expect(d.retryAfterUntil! - now).toBeGreaterThanOrEqual(2000);
    expect(retryAfterDate(Date.UTC(2026, 0, 1, 12, 0, 0), 1).header).toBe('Thu, 01 Jan 2026 12:00:01 GMT');
  });

  it('204 and 304 carry no body and no content-length', () => {
    const d = decide(compiled({ status: 204 }), req(), clock(), () => undefined);
    if (d.answer.type !== 'respond') throw new Error('expected respond');
    expect(d.answer.body.byteLength).toBe(0);
    expect(d.answer.headers['content-length']).toBeUndefined();
  });

  it('malformed-json: a 200 whose body does not parse', () => {
    const d = decide(compiled({ kind: 'malformed-json' }), req(), clock(), () => undefined);
    const a = d.answer;
    if (a.type !== 'respond') throw new Error('expected respond');
    expect(d.status).toBe(200);
    expect(text(a.body)).toBe(MALFORMED_JSON);
    expect(() => JSON.parse(text(a.body))).toThrow();
  });

  function run(b: ReturnType<typeof compiled>, requests: RequestFacts[], monoStep = 0) {
    const memory = new Map<string, Memory>();
    return requests.map((r, i) => {
      const d = decide(b, r, clock(undefined, i * monoStep), (k) => memory.get(k));
      if (d.remember) memory.set(d.remember.key, d.remember.memory);
      return d;
    });
  }

  it('sequence: statuses in order, then holds the last; Retry-After per step', () => {
    const ds = run(compiled({ kind: 'sequence', steps: [{ status: 429, retryAfter: 1 }, 503, 200] }), Array(5).fill(req()));
    expect(ds.map((d) => d.status)).toEqual([429, 503, 200, 200, 200]);
    expect(ds.map((d) => d.retryAfter)).toEqual([1, null, null, null, null]);
  });

  it('sequence: repeat', () => {
    expect(run(compiled({ kind: 'sequence', steps: [500, 200], then: 'repeat' }), Array(5).fill(req())).map((d) => d.status)).toEqual([500, 200, 500, 200, 500]);
  });

  it('sequence: scope call counts each logical call (x-request-id, idempotency-key) apart', () => {
    const a = req('/', { 'x-request-id': 'a' });
    const b = req('/', { 'idempotency-key': 'b' });
    const ds = run(compiled({ kind: 'sequence', scope: 'call', steps: [503, 200] }), [a, b, a, b, a]);
    expect(ds.map((d) => d.status)).toEqual([503, 503, 200, 200, 200]);
  });

  it('rate-limit: a token bucket per client (x-client-id, else remote address), 429 with the seconds until a token', () => {
    const b = compiled({ kind: 'rate-limit', rate: 0.5, burst: 2 });
    const one = req('/', { 'x-client-id': 'one' });
    const two = req('/', { 'x-client-id': 'two' });
    const ds = run(b, [one, one, one, two, one]);
    expect(ds.map((d) => d.status)).toEqual([200, 200, 429, 200, 429]);
    expect(ds[2].retryAfter).toBe(2); // 1 token at 0.5/s
  });

  it('rate-limit: tokens come back at the rate, never above the burst', () => {
    expect(takeToken(undefined, 10, 3, 0)).toEqual({ allowed: true, bucket: { tokens: 2, atMs: 0 }, retryAfterS: 0 });
    expect(takeToken({ tokens: 0, atMs: 0 }, 10, 3, 50)).toMatchObject({ allowed: false, retryAfterS: 1 });
    expect(takeToken({ tokens: 0, atMs: 0 }, 10, 3, 100)).toMatchObject({ allowed: true });
    expect(takeToken({ tokens: 0, atMs: 0 }, 10, 3, 60_000).bucket.tokens).toBe(2);
    const ds = run(compiled({ kind: 'rate-limit', rate: 10, burst: 1 }), Array(6).fill(req('/', { 'x-client-id': 'c' })), 50);
    expect(ds.map((d) => d.status)).toEqual([200, 429, 200, 429, 200, 429]);
  });

  it('rate-limit: the 429 can carry an HTTP-date', () => {
    const ds = run(compiled({ kind: 'rate-limit', rate: 1, burst: 1, retryAfterDate: true }), Array(2).fill(req()));
    expect(ds[1].status).toBe(429);
    expect(ds[1].retryAfterUntil).not.toBeNull();
    if (ds[1].answer.type !== 'respond') throw new Error('expected respond');
    expect(ds[1].answer.headers['retry-after']).toMatch(/GMT$/);
  });

  it('socket faults and dribbles carry what the transport needs', () => {
    const cmb = decide(compiled({ kind: 'close-mid-body', body: 'x'.repeat(100), fraction: 0.3 }), req(), clock(), () => undefined).answer;
    expect(cmb).toMatchObject({ type: 'close-mid-body', status: 200, sendBytes: 30 });
    if (cmb.type !== 'close-mid-body') throw new Error('unreachable');
    expect(cmb.headers['content-length']).toBeUndefined();
    const tr = decide(compiled({ kind: 'truncated', body: 'x'.repeat(100), fraction: 0.5 }), req(), clock(), () => undefined).answer;
    expect(tr).toMatchObject({ type: 'truncated', sendBytes: 50, headers: { 'content-length': '100', connection: 'close' } });
    expect(decide(compiled({ kind: 'reset', latency: 5 }), req(), clock(), () => undefined)).toMatchObject({ answer: { type: 'reset', delayMs: 5 }, status: null });
    expect(decide(compiled({ kind: 'hang' }), req(), clock(), () => undefined)).toMatchObject({ answer: { type: 'hang' }, status: null });
    expect(decide(compiled({ kind: 'slow-dribble', chunkBytes: 3, interval: '20ms' }), req(), clock(), () => undefined).answer).toMatchObject({ type: 'slow-dribble', chunkBytes: 3, intervalMs: 20 });
  });

  it('latency is sampled into the answer delay', () => {
    const d = decide(compiled({ latency: { dist: 'uniform', min: 40, max: 60 } }), req(), clock(), () => undefined);
    if (d.answer.type !== 'respond') throw new Error('expected respond');
    expect(d.answer.delayMs).toBeGreaterThanOrEqual(40);
    expect(d.answer.delayMs).toBeLessThanOrEqual(60);
  });
});

describe('runtime: routes, timelines and overrides', () => {
  it('matches paths: exact, :param (one segment), /* (the rest), *', () => {
    expect(pathMatcher('/offers')('/offers')).toBe(true);
    expect(pathMatcher('/offers')('/offers/1')).toBe(false);
    expect(pathMatcher('/offers/:id')('/offers/1')).toBe(true);
    expect(pathMatcher('/offers/:id')('/offers/')).toBe(false);
    expect(pathMatcher('/offers/:id')('/offers/1/x')).toBe(false);
    expect(pathMatcher('/offers/*')('/offers/1/x')).toBe(true);
    expect(pathMatcher('/offers/*')('/other/1')).toBe(false);
    expect(pathMatcher('*')('/anything')).toBe(true);
  });

  const partner = scalePartner(
    Partner.parse({
      name: 'acme',
      routes: [
        { method: 'GET', path: '/offers/:id', behaviours: [{ status: 200 }, { at: '10s', status: 503 }] },
        { name: 'create', method: 'POST', path: '/offers', behaviours: [{ status: 201 }] },
      ],
      behaviours: [{ status: 418 }],
    }),
    1,
  );

  it('first matching route answers; the partner-wide timeline is route "*" for the rest', () => {
    const rt = new PartnerRuntime(partner);
    expect(rt.decide(req('/offers/1'))).toMatchObject({ route: 'GET /offers/:id', status: 200, behaviour: 0 });
    expect(rt.decide(req('/offers', {}, 'POST'))).toMatchObject({ route: 'create', status: 201 });
    expect(rt.decide(req('/offers', {}, 'GET'))).toMatchObject({ route: '*', status: 418 });
    expect(new PartnerRuntime({ name: 'x', behaviours: [], routes: partner.routes }).decide(req('/nothing'))).toBeNull();
  });

  it('follows the timeline from t0 (the first behaviour before it starts)', () => {
    let now = 1_000_000;
    const rt = new PartnerRuntime(partner, { now: () => now });
    expect(rt.decide(req('/offers/1'))?.status).toBe(200);
    rt.startTimeline(now);
    now += 9_999;
    expect(rt.decide(req('/offers/1'))?.status).toBe(200);
    now += 1;
    expect(rt.decide(req('/offers/1'))).toMatchObject({ status: 503, behaviour: 1 });
  });

  it('an override wins over the timeline until cleared; reset clears every override and every memory', () => {
    const rt = new PartnerRuntime(partner);
    const view = rt.override('GET /offers/:id', { kind: 'sequence', steps: [429, 200] });
    expect(view.active).toMatchObject({ source: 'override', kind: 'sequence' });
    expect([rt.decide(req('/offers/1'))?.status, rt.decide(req('/offers/1'))?.status]).toEqual([429, 200]);
    expect(rt.decide(req('/offers/1'))?.behaviour).toBe(-1);
    rt.reset();
    expect(rt.decide(req('/offers/1'))).toMatchObject({ status: 200, behaviour: 0 });
    rt.override('0', { status: 500 });
    expect(rt.decide(req('/offers/1'))?.status).toBe(500);
    expect(rt.clearOverride('0').active.source).toBe('timeline');
  });

  it('an unknown route throws and changes nothing', () => {
    const rt = new PartnerRuntime(partner);
    expect(() => rt.override('GET /nope', { status: 500 })).toThrow(UnknownRouteError);
    expect(() => rt.override('9', { status: 500 })).toThrow(/has no route "9": use one of "GET \/offers\/:id", "create", "\*"/);
    expect(rt.views().map((v) => v.active.source)).toEqual(['timeline', 'timeline', 'timeline']);
  });
});

describe('a sender delivers every variant its mix names', () => {
  it('goes through each named variant once first (valid first, the replay last), then draws by weight', async () => {
    const { variantAt } = await import('../../simulators/webhook-sender.ts');
    const weights: Array<[import('../../simulators/webhooks.ts').WebhookVariant, number]> = [
      ['replayed-id', 1],
      ['valid', 10],
      ['wrong-secret', 1],
      ['stale-timestamp', 1],
    ];
    const never = () => 0.999999; // a draw would always land on the last weight
    expect([0, 1, 2, 3].map((i) => variantAt(i, weights, never))).toEqual(['valid', 'wrong-secret', 'stale-timestamp', 'replayed-id']);
    expect(variantAt(4, weights, () => 0)).toBe('replayed-id');
    expect(variantAt(4, weights, () => 0.5)).toBe('valid');
  });
});
