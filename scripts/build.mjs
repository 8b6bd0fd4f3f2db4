#!/usr/bin/env node
// `npm run build` (and `npm pack` / `npm publish` through prepack): the engine compiled by tsc
// into dist/ as JavaScript with type declarations, so the npm package runs on Node 20 without tsx.
// The repository itself runs from its sources and never needs this step.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { projectRoot } from '../src/platform/toolchain.mjs';

const dist = path.join(projectRoot, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', path.join(projectRoot, 'tsconfig.build.json')], { cwd: projectRoot, stdio: 'inherit' });
} catch {
  console.error('gameday build: tsc failed (above); nothing to package');
  process.exit(1);
}
console.error(`gameday build: ${path.relative(process.cwd(), dist) || '.'}/ written`);
