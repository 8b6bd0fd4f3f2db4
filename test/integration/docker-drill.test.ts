// A drill against a docker target: a Compose-style go-httpbin stack (test/support/compose-stack.ts)
// gameday did not start, named by its published endpoints and its containers' labels. Real gameday
// runs (CLI, real k6, Toxiproxy, the Docker engine):
//   - under load, a pause of one container (count 1, seeded) and the loss of zone b bite in their
//     windows (requests hang, then fail), are reverted and seen gone; the selection is in the evidence;
//   - labels that match no container, or an engine that does not answer: exit 3, nothing injected;
//   - the harness SIGKILLed mid-pause: `gameday cleanup` unpauses the container.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineProblem } from '../../chaos/containers/engine.ts';
import { answers, servesWithin, startComposeStack, type ComposeStack } from '../support/compose-stack.ts';
import { needs, readJson, readSamples, runCli, startCli, tmpDir, waitFor } from '../helpers.ts';

const missing = needs('a Docker engine', await engineProblem(5000));

describe.skipIf(missing)('drill your own system: a docker target', () => {
  let stack: ComposeStack;
  let stateDir: string;
  let dir: string;

  beforeAll(async () => {
    stack = await startComposeStack(['a', 'b', 'a']);
    stateDir = tmpDir('gameday-docker-state');
    dir = tmpDir('gameday-docker-drills');
  }, 120_000);

  afterAll(async () => {
    await stack?.remove();
  });

  function writeDrill(name: string, o: { labels?: Record<string, string>; faults: unknown[]; load: string }): string {
    const file = path.join(dir, `${name}.json`);
    const drill = {
      name,
      app: 'DOCKER',
      target: {
        kind: 'docker',
        name: 'shop',
        endpoints: stack.containers.map((c) => ({ name: c.name.replace(/^gdtest-[0-9a-f]+-/, ''), baseUrl: `http://127.0.0.1:${c.port}`, health: { path: '/status/200' } })),
        containers: { labels: o.labels ?? stack.labels },
      },
      load: {
        requests: [{ name: 'status', path: '/status/200', expect: [200] }],
        profiles: [{ profile: 'baseline', rate: 20, duration: o.load, preAllocatedVUs: 60, maxVUs: 80 }],
        minDelivered: '90%',
      },
      faults: o.faults,
      slos: [
        { name: 'steady-errors', kind: 'error-rate', phase: 'steady', below: '1%' },
        { name: 'fault-errors', kind: 'error-rate', phase: 'fault', below: '1%', severity: 'advisory' },
      ],
    };
    fs.writeFileSync(file, JSON.stringify(drill, null, 2));
    return file;
  }
  const env = () => ({ GAMEDAY_STATE_DIR: stateDir });
  const state = async (id: string) => (await stack.docker.getContainer(id).inspect()).State;

  it('under k6 load: one container paused, then zone b stopped; both bite, are reverted and recorded', async () => {
    const drill = writeDrill('docker-faults', {
      load: '12s',
      faults: [
        { name: 'freeze-one', driver: 'docker', action: 'pause', target: 'shop', at: '2s', duration: '2500ms', select: { mode: 'count', value: 1, seed: 4 } },
        { name: 'zone-b-lost', driver: 'docker', action: 'az-failure', target: 'shop', zone: 'b', at: '6500ms', duration: '2500ms' },
      ],
    });
    const out = path.join(tmpDir('gameday-docker'), 'run');
    const r = await runCli(['run', drill, '--out', out, '--no-progress'], env());
    // the advisory fault-phase error rate failed (the faults bit), the steady one held: CONDITIONAL
    expect(r.code, r.stderr).toBe(2);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    for (const f of chaos.faults) expect(f, f.name).toMatchObject({ outcome: 'reverted', injectVerified: true, revertVerified: true });
    const docker = chaos.environment.docker;
    expect(docker.matchedAtStart).toEqual(stack.containers.map((c) => c.name));
    expect(docker.selections['freeze-one']).toMatchObject({ mode: 'count', seed: 4 });
    expect(docker.selections['freeze-one'].chosen).toHaveLength(1);
    const zoneB = stack.containers.filter((c) => c.zone === 'b').map((c) => c.name);
    expect(docker.selections['zone-b-lost'].chosen).toEqual(zoneB);
    // after the run: every container runs, unpaused, and serves
    for (const c of stack.containers) {
      expect((await state(c.id)).Paused).toBe(false);
      expect(await servesWithin(c.port)).toBe(true);
    }
    // each fault bit in its window: the paused container's requests waited for the unpause, zone b's failed
    const samples = readSamples(path.join(out, 'k6_samples.ndjson.gz'));
    const window = (name: string) => {
      const f = chaos.faults.find((x: { name: string }) => x.name === name);
      return [Date.parse(f.injectedAt), Date.parse(f.revertedAt)] as const;
    };
    const [pIn, pOut] = window('freeze-one');
    const slow = samples.filter((s) => s.metric === 'http_req_duration' && s.value > 1000 && Date.parse(s.time) >= pIn && Date.parse(s.time) <= pOut + 1500);
    expect(slow.length).toBeGreaterThan(0);
    const [zIn, zOut] = window('zone-b-lost');
    const failedInZone = samples.filter((s) => s.metric === 'http_req_failed' && s.value === 1 && Date.parse(s.time) >= zIn && Date.parse(s.time) <= zOut + 500);
    expect(failedInZone.length).toBeGreaterThan(0);
    const failedBefore = samples.filter((s) => s.metric === 'http_req_failed' && s.value === 1 && Date.parse(s.time) < pIn);
    expect(failedBefore.length).toBe(0);
  }, 120_000);

  it('labels that match no container: exit 3 before anything is injected', async () => {
    const drill = writeDrill('docker-nobody', { labels: { ...stack.labels, 'com.docker.compose.service': 'nope' }, load: '4s', faults: [{ name: 'freeze', driver: 'docker', action: 'pause', target: 'shop', at: '1s', duration: '1s' }] });
    const r = await runCli(['run', drill, '--out', path.join(tmpDir('gameday-docker-nobody'), 'run'), '--no-progress'], env());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/no running container matches .*com\.docker\.compose\.service=nope.* nothing was injected/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    for (const c of stack.containers) expect((await state(c.id)).Paused).toBe(false);
  }, 60_000);

  it('a Docker engine that does not answer (DOCKER_HOST): exit 3 with the address, before anything is injected', async () => {
    const drill = writeDrill('docker-no-engine', { load: '4s', faults: [{ name: 'freeze', driver: 'docker', action: 'pause', target: 'shop', at: '1s', duration: '1s' }] });
    for (const host of ['unix:///nonexistent/docker.sock', 'tcp://127.0.0.1:9']) {
      const out = path.join(tmpDir('gameday-docker-no-engine'), 'run');
      const r = await runCli(['run', drill, '--out', out, '--no-progress'], { ...env(), DOCKER_HOST: host });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain(`no Docker engine answers at DOCKER_HOST=${host}`);
      expect(r.stderr).toMatch(/nothing was injected/);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
      expect(fs.existsSync(path.join(out, 'chaos_report.json'))).toBe(false);
    }
    for (const c of stack.containers) expect((await state(c.id)).Paused).toBe(false);
  }, 60_000);

  it('kill -9 of the harness mid-pause: gameday cleanup unpauses the container', async () => {
    const drill = writeDrill('docker-killed', { load: '20s', faults: [{ name: 'freeze-all', driver: 'docker', action: 'pause', target: 'shop', at: '1s', duration: '15s', select: { mode: 'all' } }] });
    const run = startCli(['run', drill, '--out', path.join(tmpDir('gameday-docker-killed'), 'run'), '--no-progress'], env());
    await waitFor('the containers to be paused', async () => (await Promise.all(stack.containers.map((c) => state(c.id)))).every((s) => s.Paused), 30_000);
    run.child.kill('SIGKILL');
    await run.exit;
    expect(await answers(stack.containers[0].port, 800)).toBe(false);
    const cleanup = await runCli(['cleanup'], env());
    expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toMatch(/undid paused of container gdtest-/);
    for (const c of stack.containers) {
      expect((await state(c.id)).Paused).toBe(false);
      expect(await servesWithin(c.port)).toBe(true);
    }
  }, 90_000);
});
