// Real commands (this node as a one-liner): a flag file the "system" checks, toggled by inject/revert.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandAction, injectCommand, revertCommand, runStep } from '../../chaos/command.ts';
import { CommandDriver } from '../../chaos/command-driver.ts';
import { tmpDir } from '../helpers.ts';

const node = process.execPath;

describe('command actions', () => {
  it('inject creates the flag, verify sees it, revert removes it; output goes to the log', async () => {
    const dir = tmpDir('cmd');
    const flag = path.join(dir, 'degraded');
    const log = path.join(dir, 'command.log');
    const action = CommandAction.parse({
      inject: { argv: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(flag)}, 'on'); console.log('flag on')`] },
      verify: { argv: [node, '-e', `process.exit(require('fs').existsSync(${JSON.stringify(flag)}) ? 0 : 1)`] },
      revert: { argv: [node, '-e', `require('fs').rmSync(${JSON.stringify(flag)}, { force: true }); console.log('flag off')`] },
    });
    const runs = await injectCommand(action, log);
    expect(runs.map((r) => r.step)).toEqual(['inject', 'verify']);
    expect(fs.existsSync(flag)).toBe(true);
    await revertCommand(action, log);
    expect(fs.existsSync(flag)).toBe(false);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/--- inject[\s\S]*flag on[\s\S]*--- verify[\s\S]*--- revert[\s\S]*flag off/);
  });

  it('a failing verify reverts at once and throws', async () => {
    const dir = tmpDir('cmd');
    const flag = path.join(dir, 'degraded');
    const action = CommandAction.parse({
      inject: { argv: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(flag)}, 'on')`] },
      verify: { argv: [node, '-e', 'process.exit(3)'] },
      revert: { argv: [node, '-e', `require('fs').rmSync(${JSON.stringify(flag)}, { force: true })`] },
    });
    await expect(injectCommand(action, path.join(dir, 'log'))).rejects.toThrow(/verify .* exited 3:.*; revert ran/);
    expect(fs.existsSync(flag)).toBe(false);
  });

  it('no shell unless asked: $HOME stays literal; with shell: true it expands', async () => {
    const log = path.join(tmpDir('cmd'), 'log');
    const plain = await runStep('inject', CommandAction.shape.inject.parse({ argv: ['echo', '$HOME'] }), log);
    expect(plain.stdout.trim()).toBe('$HOME');
    const shelled = await runStep('inject', CommandAction.shape.inject.parse({ argv: ['echo', '$HOME'], shell: true }), log);
    expect(shelled.stdout.trim()).toBe(process.env.HOME);
  });

  it('a command past its timeout is killed and reported as timed out', async () => {
    const r = await runStep('inject', CommandAction.shape.inject.parse({ argv: [node, '-e', 'setTimeout(() => {}, 60000)'], timeout: 300 }), path.join(tmpDir('cmd'), 'log'));
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(null);
  });
});

describe('the command driver', () => {
  const flagAction = (flag: string, verifyExit: number, revertExit = 0) =>
    CommandAction.parse({
      inject: { argv: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(flag)}, 'on')`] },
      verify: { argv: [node, '-e', `process.exit(${verifyExit})`] },
      revert: { argv: [node, '-e', `require('fs').rmSync(${JSON.stringify(flag)}, { force: true }); process.exit(${revertExit})`] },
    });
  const request = (name: string, params: CommandAction) => ({ name, action: 'command' as const, targets: [], params });

  it('tells the ledger before inject, reverts once (a second revert is a no-op) and says so', async () => {
    const dir = tmpDir('cmd-driver');
    const flag = path.join(dir, 'flag');
    const calls: string[] = [];
    const driver = new CommandDriver({ logDir: dir, cwd: dir, beforeInject: (f, revert) => calls.push(`ledger ${f} ${revert.argv[0] === node}:${fs.existsSync(flag)}`), reverted: (f) => calls.push(`reverted ${f}`) });
    const injected = await driver.inject(request('flag', flagAction(flag, 0)));
    expect(fs.existsSync(flag)).toBe(true);
    await driver.revert(injected);
    await driver.revert(injected);
    expect(fs.existsSync(flag)).toBe(false);
    // recorded before the flag existed; one revert
    expect(calls).toEqual(['ledger flag true:false', 'reverted flag']);
    expect(driver.runs.get('flag')!.map((r) => r.step)).toEqual(['inject', 'verify', 'revert']);
    expect(fs.readFileSync(path.join(dir, 'command-flag.log'), 'utf8')).toMatch(/--- inject[\s\S]*--- verify[\s\S]*--- revert/);
  });

  it('a failed verify reverts at once; a revert that fails is an error naming the fault and its log, and stays unreverted', async () => {
    const dir = tmpDir('cmd-driver');
    const reverted: string[] = [];
    const driver = new CommandDriver({ logDir: dir, cwd: dir, reverted: (f) => reverted.push(f) });
    const flag = path.join(dir, 'a');
    await expect(driver.inject(request('a', flagAction(flag, 2)))).rejects.toThrow(/^command fault a: verify .* exited 2: ; revert ran — output in logs\/command-a\.log$/);
    expect(fs.existsSync(flag)).toBe(false);
    expect(reverted).toEqual(['a']);
    const b = request('b', flagAction(path.join(dir, 'b'), 0, 4));
    await driver.inject(b);
    await expect(driver.revert(b)).rejects.toThrow(/^command fault b not reverted: revert .* exited 4/);
    expect(reverted).toEqual(['a']);
  });
});
