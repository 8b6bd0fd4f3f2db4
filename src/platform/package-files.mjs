// Where gameday's own files are, whether it runs from this repository's sources (through tsx) or
// from the npm package (compiled into dist/). Plain ESM with no dependencies: the bootstrap uses it
// before `npm ci` has run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest folder at or above `from` whose package.json is gameday's: the repository root from
 * src/platform/, the installed package's folder from dist/src/platform/.
 * @param {string} from
 * @returns {string}
 */
export function findPackageRoot(from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'gameday') return dir;
    } catch {
      /* no package.json here, or not ours */
    }
    if (path.dirname(dir) === dir) throw new Error(`gameday's package.json was not found above ${from}`);
  }
}

export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/**
 * A module of gameday by its source path ('simulators/container-entry.ts'): the source where it is
 * there (the repository, or a file the package ships as source, like the k6 scenario library),
 * else its compiled twin under dist/ ('dist/simulators/container-entry.js').
 * @param {string} sourcePath relative to the package root
 * @param {string} [root]
 */
export function packageFile(sourcePath, root = packageRoot) {
  const source = path.join(root, sourcePath);
  if (fs.existsSync(source)) return source;
  const built = path.join(root, 'dist', sourcePath.replace(/\.ts$/, '.js'));
  if (fs.existsSync(built)) return built;
  throw new Error(`gameday's ${sourcePath} is missing from ${root} (neither the source nor dist/): reinstall gameday`);
}

/** True when gameday runs from a checkout of its repository (a .git folder or file at its root), not an installed package. */
export function isCheckout(root = packageRoot) {
  return fs.existsSync(path.join(root, '.git'));
}
