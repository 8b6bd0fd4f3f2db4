#!/usr/bin/env node
// Makes a fresh clone ready: npm dependencies, then k6 and Toxiproxy at their pinned
// versions. Runs before `npm test` and `npm run demo`; a second run does nothing.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findTool, installTool, pinnedTools, projectRoot } from './toolchain.mjs';

function ensureNodeModules() {
  const lock = path.join(projectRoot, 'package-lock.json');
  const stamp = path.join(projectRoot, 'node_modules', '.gameday-lock.sha256');
  const want = createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return;
  console.error('gameday bootstrap: npm ci (node_modules missing or older than package-lock.json)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: projectRoot, stdio: 'inherit' });
  fs.writeFileSync(stamp, `${want}\n`);
}

function ensureTools() {
  for (const spec of pinnedTools()) {
    const found = findTool(spec) ?? installTool(spec);
    if (found.source !== '.tools/bin' && found.version !== spec.version) {
      console.error(`gameday bootstrap: using ${spec.name} ${found.version ?? '(unknown version)'} from ${found.source} (${found.path}); pinned is ${spec.version}`);
    }
  }
}

try {
  ensureNodeModules();
  ensureTools();
} catch (err) {
  console.error(`gameday bootstrap failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
