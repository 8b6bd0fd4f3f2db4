// The docker driver against containers gameday did not start: a Compose-style stack (Compose's own
// labels, a project network with the service alias) of three go-httpbin containers — a FROM-scratch
// image of a static Go binary — in zones a, b, a (test/support/compose-stack.ts). Each action is
// injected on the selected containers only, observed on the engine and from outside, reverted and
// observed gone; an empty selection is refused before anything is done.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type Dockerode from 'dockerode';
import { DockerDriver, undoChange, type DockerChange } from '../../chaos/docker/driver.ts';
import { engineProblem } from '../../chaos/containers/engine.ts';
import { faultRequest } from '../../chaos/registry.ts';
import { answers, servesWithin, startComposeStack, type ComposeStack } from '../support/compose-stack.ts';
import { needs } from '../helpers.ts';

const missing = needs('a Docker engine', await engineProblem(5000));

describe.skipIf(missing)('docker driver on a Compose-style go-httpbin stack', () => {
  let stack: ComposeStack;
  let docker: Dockerode;
  let network: string;
  let LABELS: Record<string, string>;
  let containers: ComposeStack['containers'];
  const recorded: DockerChange[] = [];
  let driver: DockerDriver;

  beforeAll(async () => {
    stack = await startComposeStack(['a', 'b', 'a'], ['always']);
    ({ docker, network, labels: LABELS, containers } = stack);
    driver = new DockerDriver({ docker, labels: LABELS, zoneLabel: 'zone', record: (c) => recorded.push(c) });
  }, 120_000);

  afterAll(async () => {
    await stack?.remove();
  });

  it('serves from every container at start', async () => {
    for (const c of containers) expect(await answers(c.port)).toBe(true);
  });

  it('pod-kill with count 1 kills exactly one, records which and who brought it back', async () => {
    const request = faultRequest('kill-one', 'pod-kill', [], { select: { mode: 'count', value: 1, seed: 7 }, restartAfter: 300 });
    const injected = await driver.inject(request);
    const selection = driver.selections.get('kill-one')!;
    expect(selection.matched).toEqual(containers.map((c) => c.name));
    expect(selection.chosen).toHaveLength(1);
    expect(injected.applied.find((a) => a.target === 'selection')!.ref).toContain('seed 7');
    await driver.revert(injected);
    const victim = containers.find((c) => c.name === selection.chosen[0])!;
    expect(await servesWithin(victim.port)).toBe(true);
    const by = driver.restartedBy.get('kill-one')![victim.name];
    expect(['restart policy', 'gameday']).toContain(by);
    process.stderr.write(`pod-kill: ${victim.name} (restart policy ${victim.name.endsWith('-1') ? 'always' : 'no'}) brought back by ${by}\n`);
    // the same seed picks the same container again
    const again = new DockerDriver({ docker, labels: LABELS, zoneLabel: 'zone' });
    const replay = await again.inject(faultRequest('kill-one', 'pod-kill', [], { select: { mode: 'count', value: 1, seed: 7 } }));
    expect(again.selections.get('kill-one')!.chosen).toEqual(selection.chosen);
    await again.revert(replay);
  }, 60_000);

  it('pod-kill of a container with restart policy "always": recorded who brought it back', async () => {
    const one = new DockerDriver({ docker, labels: { ...LABELS, 'com.docker.compose.container-number': '1' }, zoneLabel: 'zone' });
    const injected = await one.inject(faultRequest('kill-first', 'pod-kill', [], { select: { mode: 'all' }, restartAfter: 1500 }));
    await one.revert(injected);
    const by = one.restartedBy.get('kill-first')![containers[0].name];
    process.stderr.write(`pod-kill: ${containers[0].name} (restart policy always) brought back by ${by}\n`);
    expect(['restart policy', 'gameday']).toContain(by);
    expect(await servesWithin(containers[0].port)).toBe(true);
  }, 60_000);

  it('pause with percent 50 freezes 2 of 3 (rounded up); they stop answering and answer again after the revert', async () => {
    const injected = await driver.inject(faultRequest('freeze', 'pause', [], { select: { mode: 'percent', value: 50, seed: 1 } }));
    const chosen = driver.selections.get('freeze')!.chosen;
    expect(chosen).toHaveLength(2);
    for (const c of containers) expect(await answers(c.port, 800)).toBe(!chosen.includes(c.name));
    await driver.revert(injected);
    for (const c of containers) expect(await servesWithin(c.port)).toBe(true);
  }, 60_000);

  it('partition disconnects the chosen container from the project network and reconnects it with its alias', async () => {
    const injected = await driver.inject(faultRequest('cut-off', 'partition', [], { network, select: { mode: 'count', value: 1, seed: 3 } }));
    const [name] = driver.selections.get('cut-off')!.chosen;
    const c = containers.find((x) => x.name === name)!;
    expect((await docker.getContainer(c.id).inspect()).NetworkSettings.Networks[network]).toBeUndefined();
    await driver.revert(injected);
    const attached = (await docker.getContainer(c.id).inspect()).NetworkSettings.Networks[network];
    expect(attached.Aliases).toContain('api');
  }, 60_000);

  it('az-failure stops every container of the zone and starts them again', async () => {
    const injected = await driver.inject(faultRequest('zone-a', 'az-failure', [], { zone: 'a' }));
    const zoneA = containers.filter((c) => c.zone === 'a');
    expect(driver.selections.get('zone-a')!.chosen.sort()).toEqual(zoneA.map((c) => c.name).sort());
    for (const c of containers) expect(await answers(c.port, 800)).toBe(c.zone !== 'a');
    await driver.revert(injected);
    for (const c of containers) expect(await servesWithin(c.port)).toBe(true);
  }, 60_000);

  it('refuses an empty selection before anything is done', async () => {
    const before = recorded.length;
    const nobody = new DockerDriver({ docker, labels: { ...LABELS, 'com.docker.compose.service': 'nope' }, zoneLabel: 'zone', record: (c) => recorded.push(c) });
    await expect(nobody.inject(faultRequest('nobody', 'pause', []))).rejects.toThrow(/matches nothing/);
    expect(recorded.length).toBe(before);
  });

  it('undoes a recorded change without the driver, as the sweep does after kill -9', async () => {
    const lost = new DockerDriver({ docker, labels: LABELS, zoneLabel: 'zone', record: (c) => recorded.push(c) });
    await lost.inject(faultRequest('orphan', 'pause', [], { select: { mode: 'count', value: 1, seed: 2 } }));
    const change = recorded.at(-1)!;
    expect(change.kind).toBe('paused');
    expect((await docker.getContainer(change.containerId).inspect()).State.Paused).toBe(true);
    await undoChange(docker, change);
    await undoChange(docker, change); // twice is safe
    expect((await docker.getContainer(change.containerId).inspect()).State.Paused).toBe(false);
  });
});
