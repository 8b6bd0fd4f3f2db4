// TS drills bundled by esbuild before they are imported: `gameday` is the engine running them even
// where no node_modules/gameday is next to the drill, the module keeps its own location, and a
// syntax error names the file, line and column.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DrillError, loadDrill } from '../../src/schema/load.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-config-module-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

const body = (name: string) => `{
  name: ${name},
  app: 'APP2',
  target: { kind: 'process', service: { name: 'hub', command: ['node', 'server.mjs'] } },
  load: { requests: [{ name: 'r', path: '/' }], profiles: [{ profile: 'baseline', rate: 1, duration: '2s' }] },
  slos: [{ name: 'e', kind: 'error-rate', below: '1%' }],
}`;

describe('TS drills bundled by esbuild', () => {
  it("import 'gameday' with no node_modules near them, and a helper module of their own", async () => {
    write('lonely/names.ts', `export const suffix: string = 'helper';\n`);
    const file = write('lonely/drill.ts', `import { defineDrill } from 'gameday';\nimport { suffix } from './names.ts';\nexport default defineDrill(${body("`lonely-${suffix}`")});\n`);
    expect((await loadDrill(file)).drill.name).toBe('lonely-helper');
  });

  it('keep their own import.meta.url and __dirname', async () => {
    const file = write('where/drill.ts', `import path from 'node:path';\nconst here = path.basename(path.dirname(new URL(import.meta.url).pathname)) + '-' + path.basename(__dirname);\nexport default ${body('here')};\n`);
    expect((await loadDrill(file)).drill.name).toBe('where-where');
  });

  it('a syntax error names the file, line and column, and leaves no temporary bundle behind', async () => {
    const file = write('broken/drill.ts', `export default {\n  name: 'x',,\n};\n`);
    const good = write('good/drill.ts', `export default ${body("'good'")};\n`);
    // bundles go to os.tmpdir(): a private one shows what is left behind
    const scratch = fs.mkdtempSync(path.join(tmp, 'scratch-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    try {
      const err = (await loadDrill(file).catch((e: unknown) => e)) as DrillError;
      expect(err).toBeInstanceOf(DrillError);
      expect(err.problems[0]).toMatch(/^the module could not be compiled: .*broken\/drill\.ts:2:\d+: /);
      expect((await loadDrill(good)).drill.name).toBe('good');
      expect(fs.readdirSync(scratch)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});
