#!/usr/bin/env node
// Entry point of the `gameday` CLI. In a checkout of the repository the engine is its TypeScript
// sources run through tsx (no build step); the npm package ships them compiled into dist/.
import fs from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
let main;
if (fs.existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import('../dist/src/cli/main.js'));
}
process.exitCode = await main(process.argv);
