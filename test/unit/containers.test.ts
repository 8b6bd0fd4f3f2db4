// Pure parts of the containers driver: image inputs (ldd, imports, dependency closure, content
// hash) and label selection.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareImports, dependencyClosure, imageInputsHash, nodeServiceImageSpec, parseLdd } from '../../chaos/containers/images.ts';
import { ROOT } from '../helpers.ts';
import { LABEL_OWNER, LABEL_REPLICA, matchesSelector, parseSelector, selectContainers } from '../../chaos/containers/labels.ts';
import { deadOwned } from '../../chaos/containers/sweep.ts';

describe('image inputs', () => {
  it('reads the libraries and the loader from ldd output, not the vdso', () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd5a1f2000)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f41e6c00000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f41e6a1e000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f41e6fb5000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f41e6a1e000)',
    ].join('\n');
    expect(parseLdd(out)).toEqual(['/lib/x86_64-linux-gnu/libstdc++.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/lib64/ld-linux-x86-64.so.2']);
    expect(parseLdd('\tnot a dynamic executable')).toEqual([]);
  });

  it('finds the packages a module imports (scoped, subpaths, dynamic), not builtins or relative files', () => {
    const src = [
      "import crypto from 'node:crypto';",
      "import { WebSocketServer } from 'ws';",
      "import { connect, headers } from 'nats';",
      "import { x } from './lib/x.mjs';",
      "export { y } from '@scope/pkg/sub/path.js';",
      "const z = await import('yaml');",
      "import 'side-effect';",
      "// a comment mentioning from 'nothing' is not an import",
    ].join('\n');
    expect(bareImports(src)).toEqual(['@scope/pkg', 'nats', 'side-effect', 'ws', 'yaml']);
  });

  it('takes the run-time dependency closure from package-lock.json', () => {
    const lock = {
      packages: {
        '': { dependencies: { nats: '^2' } },
        'node_modules/nats': { version: '2.29.3', dependencies: { 'nkeys.js': '1.1.0' } },
        'node_modules/nkeys.js': { version: '1.1.0', dependencies: { tweetnacl: '1.0.3' } },
        'node_modules/tweetnacl': { version: '1.0.3' },
        'node_modules/ws': { version: '8.23.0', optionalDependencies: { bufferutil: '^4' } },
        'node_modules/unrelated': { version: '1.0.0' },
      },
    };
    expect(dependencyClosure(lock, ['ws', 'nats'])).toEqual(['nats', 'nkeys.js', 'tweetnacl', 'ws']);
    expect(() => dependencyClosure(lock, ['left-pad'])).toThrow(/left-pad is imported but not in package-lock.json/);
  });

  it('hashes the inputs by target, mode and content, in any order, with the Dockerfile', () => {
    const files = [
      { target: 'usr/bin/node', mode: 0o755, digest: 'aa' },
      { target: 'app/server.mjs', mode: 0o644, digest: 'bb' },
    ];
    const h = imageInputsHash(files, 'FROM scratch');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(imageInputsHash([...files].reverse(), 'FROM scratch')).toBe(h);
    expect(imageInputsHash([files[0], { ...files[1], digest: 'bc' }], 'FROM scratch')).not.toBe(h);
    expect(imageInputsHash([files[0], { ...files[1], mode: 0o755 }], 'FROM scratch')).not.toBe(h);
    expect(imageInputsHash([files[0], { ...files[1], target: 'app/other.mjs' }], 'FROM scratch')).not.toBe(h);
    expect(imageInputsHash(files, 'FROM scratch\nEXPOSE 8080')).not.toBe(h);
    expect(() => imageInputsHash([...files, { target: 'app/server.mjs', mode: 0o644, digest: 'cc' }], 'FROM scratch')).toThrow(/two inputs of the image go to app\/server.mjs/);
  });
});

describe('label selection', () => {
  const c = (name: string, replica: string, zone: string, extra: Record<string, string> = {}) => ({ name, labels: { [LABEL_REPLICA]: replica, zone, 'gameday.service': 'partner-hub', ...extra } });
  const all = [c('gameday-run-partner-hub-r0', 'partner-hub-r0', 'a'), c('gameday-run-partner-hub-r1', 'partner-hub-r1', 'b'), c('gameday-run-partner-hub-r2', 'partner-hub-r2', 'a')];

  it('parses selectors and tells them from names', () => {
    expect(parseSelector('partner-hub-r0')).toBeNull();
    expect(parseSelector('zone=a')).toEqual([['zone', 'a']]);
    expect(parseSelector('zone=a, gameday.service=partner-hub')).toEqual([
      ['zone', 'a'],
      ['gameday.service', 'partner-hub'],
    ]);
    expect(() => parseSelector('=a')).toThrow(/not a label selector/);
    expect(() => parseSelector('zone=')).toThrow(/not a label selector/);
    expect(matchesSelector({ zone: 'a' }, [['zone', 'a']])).toBe(true);
    expect(matchesSelector({ zone: 'b' }, [['zone', 'a']])).toBe(false);
    expect(matchesSelector({}, [['toString', 'x']])).toBe(false);
  });

  it('selects by replica name, container name or labels, without duplicates, in topology order', () => {
    expect(selectContainers(all, ['partner-hub-r1']).map((x) => x.name)).toEqual(['gameday-run-partner-hub-r1']);
    expect(selectContainers(all, ['gameday-run-partner-hub-r2']).map((x) => x.labels[LABEL_REPLICA])).toEqual(['partner-hub-r2']);
    expect(selectContainers(all, ['zone=a']).map((x) => x.labels[LABEL_REPLICA])).toEqual(['partner-hub-r0', 'partner-hub-r2']);
    expect(selectContainers(all, ['partner-hub-r2', 'zone=a']).map((x) => x.labels[LABEL_REPLICA])).toEqual(['partner-hub-r0', 'partner-hub-r2']);
    expect(selectContainers(all, ['zone=a,gameday.service=partner-hub']).length).toBe(2);
    expect(() => selectContainers(all, ['zone=a,gameday.service=other'])).toThrow(/matches no container/);
  });

  it('a target that selects nothing is an error naming what there is', () => {
    expect(() => selectContainers(all, ['partner-hub-r9'])).toThrow(/no container named partner-hub-r9 in this run \(containers: partner-hub-r0, partner-hub-r1, partner-hub-r2\)/);
    expect(() => selectContainers(all, ['zone=c'])).toThrow(/the selector "zone=c" matches no container/);
    expect(() => selectContainers(all, [])).toThrow(/names no target/);
  });

  it('sweeps only what a dead owner left', () => {
    const items: Array<{ labels: Record<string, string> }> = [{ labels: { [LABEL_OWNER]: '1:100' } }, { labels: { [LABEL_OWNER]: '2:200' } }, { labels: {} }];
    expect(deadOwned(items, (o) => o === '1:100')).toEqual([items[1]]);
  });
});

describe('a service image keeps its files\' modes', () => {
  it('an executable in the app folder stays executable, a plain file stays plain', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-image-modes-'));
    try {
      fs.writeFileSync(path.join(dir, 'server.mjs'), "console.log('listening on')\n");
      fs.writeFileSync(path.join(dir, 'helper-bin'), '#!/bin/sh\n');
      fs.chmodSync(path.join(dir, 'helper-bin'), 0o755);
      fs.chmodSync(path.join(dir, 'server.mjs'), 0o644);
      const spec = nodeServiceImageSpec({ name: 'modes', appDir: dir, entry: 'server.mjs', projectDir: ROOT });
      const mode = (target: string) => spec.files.find((f) => f.target === target)?.mode;
      expect(mode('app/helper-bin')).toBe(0o755);
      expect(mode('app/server.mjs')).toBe(0o644);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
