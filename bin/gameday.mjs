#!/usr/bin/env node
// Entry point of the `gameday` CLI. The engine is TypeScript run through tsx,
// so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
