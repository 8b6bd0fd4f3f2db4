// A stand-in for node:20-bookworm-slim, which no registry here can give: an image FROM scratch
// with this machine's node and the libraries `ldd` lists, npm, /bin/sh and /usr/bin/env (what the
// Dockerfile's RUN lines and npm's bin links need). Content-hashed by chaos/containers/images.ts,
// so it is built once per node binary.
import fs from 'node:fs';
import path from 'node:path';
import { binaryFiles, ensureImage, walk, type BuiltImage, type ImageFile, type ImageSpec } from '../../chaos/containers/images.ts';

function which(name: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/local/bin']) if (fs.existsSync(path.join(dir, name))) return fs.realpathSync(path.join(dir, name));
  throw new Error(`${name} is not installed on this machine`);
}

export function nodeBaseImageSpec(nodeBinary = process.execPath): ImageSpec {
  const npmDir = path.join(path.dirname(fs.realpathSync(nodeBinary)), '..', 'lib', 'node_modules', 'npm');
  if (!fs.existsSync(path.join(npmDir, 'lib', 'cli.js'))) throw new Error(`npm is not next to ${nodeBinary} (looked in ${npmDir})`);
  const byTarget = new Map<string, ImageFile>();
  const add = (f: ImageFile) => byTarget.set(f.target, f); // a library two binaries share goes in once
  for (const f of binaryFiles(nodeBinary, 'usr/local/bin/node')) add(f);
  for (const f of binaryFiles(which('sh'), 'bin/sh')) add(f);
  for (const f of binaryFiles(which('env'), 'usr/bin/env')) add(f);
  for (const rel of walk(npmDir)) add({ target: `usr/local/lib/node_modules/npm/${rel}`, source: path.join(npmDir, rel), mode: fs.statSync(path.join(npmDir, rel)).mode & 0o777 });
  add({ target: 'usr/local/bin/npm', content: "#!/usr/bin/env node\nrequire('/usr/local/lib/node_modules/npm/lib/cli.js')(process)\n", mode: 0o755 });
  add({ target: 'tmp/.keep', content: '', mode: 0o644 });
  add({ target: 'root/.keep', content: '', mode: 0o644 });
  return {
    name: 'gameday-test/node-base',
    files: [...byTarget.values()],
    dockerfile: ['FROM scratch', 'COPY rootfs/ /', 'ENV PATH=/usr/local/bin:/usr/bin:/bin HOME=/root'].join('\n'),
  };
}

export const ensureNodeBaseImage = (): Promise<BuiltImage> => ensureImage(nodeBaseImageSpec());
