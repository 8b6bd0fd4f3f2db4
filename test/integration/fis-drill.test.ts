// driver: fis in a real drill run: the `gameday` CLI (a child process) runs real k6 load on a
// local go-httpbin while its az-failure goes through the real @aws-sdk/client-fis to the FIS
// emulator, served over HTTP on 127.0.0.1 (AWS_ENDPOINT_URL_FIS, dummy credentials). A drill
// aimed at real AWS is refused before it starts; then five runs: a throttled StartExperiment
// retried, then running → stopped at the window's end; Ctrl-C mid window stops the experiment;
// kill -9 then `gameday cleanup` stops it; an experiment that fails before it runs or mid window
// makes the run invalid (NO-GO, exit 1).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../src/platform/toolchain.mjs';
import { serveFisEmulator, type ServedFisEmulator } from '../support/fis-emulator-http.ts';
import { interruptGroup, readJson, runCli, startCli, tmpDir, waitFor } from '../helpers.ts';

const ROLE = 'arn:aws:iam::123456789012:role/gameday-fis';
const ALARM = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-5xx';

/** go-httpbin under 20 req/s for 80 s of drill time (8 s at time-scale 0.1); FIS takes out zone a from 10 s to 70 s. */
function drillYaml(httpbin: string): string {
  return `name: fis-az-failure
app: TEST
timeScale: 0.1
target:
  kind: process
  service:
    name: web
    command: [${JSON.stringify(httpbin)}, -host, 127.0.0.1, -port, '{{port}}']
    healthPath: /status/200
load:
  requests: [{ name: get, path: /get }]
  profiles:
    - { profile: baseline, rate: 20, duration: 80s }
faults:
  - name: zone-a
    driver: fis
    action: az-failure
    zone: us-east-1a
    target: web
    at: 10s
    duration: 1m
    fis:
      region: us-east-1
      roleArn: ${ROLE}
      stopConditions: [${ALARM}]
      subnets: { resourceTags: { zone: us-east-1a } }
slos:
  - { name: errors, kind: error-rate, below: 5% }
`;
}

describe('driver: fis in a drill, against the FIS emulator over HTTP', () => {
  let fis: ServedFisEmulator;
  let drill: string;
  let stateDir: string;

  beforeAll(async () => {
    fis = await serveFisEmulator();
    const dir = tmpDir('gameday-fis-drill');
    drill = path.join(dir, 'fis.yaml');
    fs.writeFileSync(drill, drillYaml(requireTool('go-httpbin').path));
    stateDir = tmpDir('gameday-fis-state');
  });
  afterAll(async () => {
    await fis?.close();
  });

  const env = () => ({ ...fis.env, GAMEDAY_STATE_DIR: stateDir });
  const run = (name: string, o: { ownGroup?: boolean; timeScale?: number } = {}) => {
    const out = path.join(tmpDir(`gameday-fis-${name}`), 'run');
    const scale = o.timeScale ? ['--time-scale', String(o.timeScale)] : [];
    return { out, cli: startCli(['run', drill, '--out', out, '--no-progress', ...scale], env(), o) };
  };
  const statuses = (id: string) => fis.emulator.experiment(id)!.history.map((h) => h.status);

  it('without an endpoint on loopback (real AWS) the run is refused before anything starts: exit 3, no FIS call', async () => {
    const calls = fis.emulator.calls.length;
    const out = path.join(tmpDir('gameday-fis-remote'), 'run');
    const refused = await runCli(['run', drill, '--out', out, '--no-progress'], { ...env(), AWS_ENDPOINT_URL_FIS: '', AWS_ENDPOINT_URL: '' });
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain('the FIS faults would act on AWS in account(s) 123456789012');
    expect(refused.stderr).toContain('awsAccounts: ["123456789012"]');
    expect(fis.emulator.calls.length).toBe(calls);
    expect(fs.existsSync(path.join(out, 'chaos_report.json'))).toBe(false);
  });

  it('throttled StartExperiment retried; template created, experiment running, stopped at the window end, template deleted; all in chaos_report.json', async () => {
    fis.emulator.throttle(2, 'StartExperiment');
    const { out, cli } = run('ok');
    const exit = await cli.exit;
    expect(exit.code, cli.stderr()).toBe(0);

    // the SDK retried the throttled call: two 429s, then the experiment started once
    const starts = fis.emulator.calls.filter((c) => c.operation === 'StartExperiment');
    expect(starts.map((c) => c.status)).toEqual([429, 429, 200]);
    expect(starts[0].errorType).toBe('ThrottlingException');
    expect(new Set(starts.map((c) => c.clientToken)).size).toBe(1);

    const chaos = readJson(path.join(out, 'chaos_report.json'));
    const fault = chaos.faults[0];
    expect(fault).toMatchObject({ name: 'zone-a', driver: 'fis', action: 'az-failure', outcome: 'reverted', injectVerified: true, revertVerified: true });
    const x = chaos.fis.experiments['zone-a'];
    expect(x.templateId).toMatch(/^EXT/);
    expect(fis.emulator.experiment(x.experimentId)!.status).toBe('stopped');
    expect(statuses(x.experimentId)).toEqual(['pending', 'initiating', 'running', 'stopping', 'stopped']);
    expect(x.states.map((s: { status: string }) => s.status)).toEqual(['pending', 'initiating', 'running', 'stopping', 'stopped']);
    expect(fis.emulator.templateIds()).toEqual([]);
    expect(chaos.fis).toMatchObject({ endpoint: fis.url, remote: false, regions: ['us-east-1'], accounts: ['123456789012'], allowRemote: null });
    // the template carries the fault's window (on the drill's clock) and its stop condition
    const events = chaos.fis.journal.map((e: { event: string }) => e.event);
    expect(events[0]).toBe('template-created');
    expect(events).toContain('stop-requested');
    expect(events.at(-1)).toBe('template-deleted');
    // stopped at the end of its window, not before
    const stopAt = Date.parse(chaos.fis.journal.find((e: { event: string }) => e.event === 'stop-requested').at);
    expect(stopAt).toBeGreaterThanOrEqual(Date.parse(chaos.t0) + fault.scheduled.endMs);
    expect(readJson(path.join(out, 'decisions.json')).invalid).toBe(false);
    expect(fs.existsSync(path.join(stateDir, 'ledger', `${chaos.runId}.json`))).toBe(false);
  });

  it('Ctrl-C mid window: the experiment is stopped (StopExperiment) and its template deleted', async () => {
    const before = new Set(fis.emulator.experimentIds());
    const { out, cli } = run('sigint', { ownGroup: true });
    const id = await waitFor(
      'the FIS experiment to be running',
      () => fis.emulator.experimentIds().find((e) => !before.has(e) && fis.emulator.experiment(e)!.status === 'running'),
      60_000,
    );
    interruptGroup(cli);
    const exit = await cli.exit;
    expect(exit.code).toBe(1);
    expect(fis.emulator.experiment(id)!.status).toBe('stopped');
    expect(fis.emulator.templateIds()).toEqual([]);
    const chaos = readJson(path.join(out, 'chaos_report.json'));
    expect(chaos.faults[0]).toMatchObject({ outcome: 'reverted', revertVerified: true });
    expect(chaos.fis.experiments['zone-a'].experimentId).toBe(id);
    expect(readJson(path.join(out, 'decisions.json')).reasons.join('\n')).toMatch(/interrupted \(SIGINT\)/);
  });

  it('kill -9 of the harness mid window: `gameday cleanup` stops the experiment and deletes the template (found by the ledger and the run-id tag)', async () => {
    const before = new Set(fis.emulator.experimentIds());
    const { cli } = run('sigkill');
    const id = await waitFor(
      'the FIS experiment to be running',
      () => fis.emulator.experimentIds().find((e) => !before.has(e) && fis.emulator.experiment(e)!.status === 'running'),
      60_000,
    );
    cli.child.kill('SIGKILL');
    await cli.exit;
    expect(fis.emulator.experiment(id)!.status).toBe('running');
    expect(fis.emulator.templateIds()).toHaveLength(1);
    const cleanup = await runCli(['cleanup'], env());
    expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(`stopped FIS experiment ${id} in us-east-1`);
    expect(fis.emulator.experiment(id)!.status).toBe('stopped');
    expect(fis.emulator.templateIds()).toEqual([]);
    expect(fs.readdirSync(path.join(stateDir, 'ledger'))).toEqual([]);
  });

  /** A run whose experiment FIS fails with `reason` instead of leaving `at`: NO-GO, invalid; its decision reasons and chaos report. */
  const failedRun = async (name: string, reason: string, at: 'initiating' | 'running') => {
    fis.emulator.failNextExperiment(reason, at);
    const { out, cli } = run(name, { timeScale: 0.05 });
    expect((await cli.exit).code).toBe(1);
    const decision = readJson(path.join(out, 'decisions.json'));
    expect(decision).toMatchObject({ decision: 'NO-GO', invalid: true });
    return { reasons: (decision.reasons as string[]).join('\n'), chaos: readJson(path.join(out, 'chaos_report.json')) };
  };

  it('an experiment that fails before it runs makes the run invalid with FIS reason', async () => {
    const { reasons, chaos } = await failedRun('failed', 'The role cannot act on the subnets (emulated)', 'initiating');
    expect(reasons).toMatch(/zone-a could not be injected: .*failed: The role cannot act on the subnets/);
    expect(chaos.faults[0]).toMatchObject({ outcome: 'inject-failed' });
    expect(chaos.fis.experiments['zone-a'].states.at(-1)).toMatchObject({ status: 'failed', reason: 'The role cannot act on the subnets (emulated)' });
    expect(fis.emulator.templateIds()).toEqual([]);
  });

  it('an experiment that fails mid window is seen when it fails (polled) and makes the run invalid', async () => {
    const { reasons, chaos } = await failedRun('failed-running', 'Action disrupt-connectivity failed: network ACL limit reached (emulated)', 'running');
    expect(reasons).toMatch(/zone-a could not be reverted: .*failed while it ran \(Action disrupt-connectivity failed: network ACL limit reached \(emulated\)\)/);
    const fault = chaos.faults[0];
    expect(fault).toMatchObject({ outcome: 'revert-failed', injectVerified: true });
    const failed = chaos.fis.experiments['zone-a'].states.find((s: { status: string }) => s.status === 'failed');
    // journaled by the poll during the window, not first seen at its end
    expect(Date.parse(failed.at)).toBeLessThan(Date.parse(chaos.t0) + fault.scheduled.endMs);
    expect(chaos.fis.journal.map((e: { event: string }) => e.event)).not.toContain('stop-requested');
    expect(fis.emulator.templateIds()).toEqual([]);
    // a revert that failed keeps the ledger: `gameday cleanup` looks again, finds it ended, and lets it go
    const ledger = path.join(stateDir, 'ledger', `${chaos.runId}.json`);
    expect(fs.existsSync(ledger)).toBe(true);
    const cleanup = await runCli(['cleanup'], env());
    expect(cleanup.code, cleanup.stdout + cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(`found ended FIS experiment ${chaos.fis.experiments['zone-a'].experimentId} in us-east-1 (run ${chaos.runId}, was failed)`);
    expect(fs.existsSync(ledger)).toBe(false);
  });
});
