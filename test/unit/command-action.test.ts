// Real commands (this node as a one-liner): a flag file the "system" checks, toggled by inject/revert.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandAction, injectCommand, revertCommand, runStep } from '../../chaos/command.ts';
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
