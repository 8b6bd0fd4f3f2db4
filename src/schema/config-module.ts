// Turns a user's TS/JS config module (a drill, a FIS spec) into one ES module that node imports
// as is, with esbuild: TypeScript stripped, relative imports and npm packages inlined, whatever
// the nearest package.json says about "type", and with no build step or loader hooks. `gameday`
// itself resolves to the engine that runs the drill (its sources in the repository, dist/ in
// the npm package), so a drill works even where `npm install gameday` has not put a copy next to
// it (a global install).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Message, type Plugin } from 'esbuild';
import { packageFile } from '../platform/package-files.mjs';

/** gameday's public module (src/index.ts) for `import ... from 'gameday'`. */
const gamedayItself: Plugin = {
  name: 'gameday-itself',
  setup(b) {
    b.onResolve({ filter: /^gameday$/ }, () => ({ path: packageFile('src/index.ts') }));
  },
};

/** The first error esbuild reports, as a message names it: file:line:col: text. */
export function describeBuildError(errors: readonly Message[], cwd = process.cwd()): string {
  const e = errors[0];
  if (!e) return 'esbuild failed without a message';
  const where = e.location ? `${path.relative(cwd, path.resolve(cwd, e.location.file)) || e.location.file}:${e.location.line}:${e.location.column + 1}: ` : '';
  return `${where}${e.text}`;
}

/**
 * Bundles `file` into one ESM file in a temporary folder and returns its path; `dispose` removes
 * it. The module keeps its own `import.meta.url`, `import.meta.dirname`, `__dirname` and
 * `__filename` (they name `file`, not the bundle). Throws an Error whose message is esbuild's first
 * error with its location.
 */
export async function bundleConfigModule(file: string): Promise<{ module: string; dispose: () => void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-module-'));
  const outfile = path.join(dir, `${path.basename(file).replace(/\.[^.]+$/, '')}.mjs`);
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const result = await build({
      entryPoints: [file],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      legalComments: 'none',
      plugins: [gamedayItself],
      define: {
        'import.meta.url': JSON.stringify(pathToFileURL(file).href),
        'import.meta.dirname': JSON.stringify(path.dirname(file)),
        'import.meta.filename': JSON.stringify(file),
        __dirname: JSON.stringify(path.dirname(file)),
        __filename: JSON.stringify(file),
      },
      // CommonJS packages the module imports may require() node's builtins
      banner: { js: "import { createRequire as __gamedayRequire } from 'node:module';\nconst require = __gamedayRequire(import.meta.url);" },
    }).catch((err: { errors?: Message[] }) => {
      throw new Error(err.errors ? describeBuildError(err.errors) : String(err));
    });
    if (result.errors.length) throw new Error(describeBuildError(result.errors));
    return { module: outfile, dispose };
  } catch (err) {
    dispose();
    throw err;
  }
}
