// `gameday cleanup --forget RUN`, through the CLI: a killed run's ledger entry whose cluster is
// gone for good (its API server answers nowhere) is reported "could not undo" and kept by every
// cleanup; --forget drops it, saying what it named, and the next cleanup finds nothing. A run
// the ledger does not hold, or one still going, is refused with exit 3 and nothing is dropped.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LedgerRecord } from '../../src/platform/ledger.ts';
import { ownerMarker } from '../../src/platform/processes.ts';
import { runCli, tmpDir } from '../helpers.ts';

const stateDir = tmpDir('gameday-forget-state');
const ledgerDir = path.join(stateDir, 'ledger');
const env = { GAMEDAY_STATE_DIR: stateDir };

function writeLedger(runId: string, owner: string): string {
  const kubeconfig = path.join(stateDir, `${runId}.kubeconfig`);
  // a cluster that is gone: nothing listens on port 1
  fs.writeFileSync(kubeconfig, JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'gone', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: { token: 't' } }], contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }], 'current-context': 'gone' }));
  const record: LedgerRecord = {
    runId,
    owner,
    toxiproxyUrl: null,
    proxies: [],
    mounts: [],
    kube: { cluster: { kubeconfig: [kubeconfig], context: 'gone', server: 'https://127.0.0.1:1', namespace: 'shop' }, changes: [{ kind: 'cordoned', node: 'node-a' }, { kind: 'network-policy', name: `gameday-${runId}-partition` }] },
  };
  fs.mkdirSync(ledgerDir, { recursive: true });
  const file = path.join(ledgerDir, `${runId}.json`);
  fs.writeFileSync(file, JSON.stringify(record));
  return file;
}

describe('gameday cleanup --forget', () => {
  it('drops a killed run whose cluster is gone, after cleanup could not undo it; refuses an unknown run and a live one', async () => {
    const file = writeLedger('20261206T010000Z-dead01', '999999999:0');
    const first = await runCli(['cleanup'], env);
    expect(first.code, first.stderr).toBe(1);
    expect(first.stdout).toMatch(/could not undo cordon of node node-a \(run 20261206T010000Z-dead01\): .*ECONNREFUSED/);
    expect(first.stdout).toContain('could not undo 3 thing(s) named above');
    expect(first.stdout).not.toContain('removed');
    expect(fs.existsSync(file)).toBe(true);

    const unknown = await runCli(['cleanup', '--forget', '20261206T010000Z-nope'], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('the ledger has no run 20261206T010000Z-nope: it holds 20261206T010000Z-dead01');
    expect(fs.existsSync(file)).toBe(true);

    const forgot = await runCli(['cleanup', '--forget', '20261206T010000Z-dead01'], env);
    expect(forgot.code, forgot.stderr).toBe(0);
    expect(forgot.stdout).toContain('forgot run 20261206T010000Z-dead01');
    expect(forgot.stdout).toMatch(/node node-a .*in namespace shop of https:\/\/127\.0\.0\.1:1 \(context gone\)/i);
    expect(forgot.stdout).toContain('gameday-20261206T010000Z-dead01-partition');
    expect(fs.existsSync(file)).toBe(false);
    const after = await runCli(['cleanup'], env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('nothing left behind');

    // this test's own process stands for a run still going
    const live = writeLedger('20261206T010000Z-live01', ownerMarker());
    const refused = await runCli(['cleanup', '--forget', '20261206T010000Z-live01'], env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`run 20261206T010000Z-live01 is still going (gameday pid ${process.pid})`);
    expect(fs.existsSync(live)).toBe(true);
  }, 60_000);
});
