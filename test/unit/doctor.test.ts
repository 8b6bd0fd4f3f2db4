import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTools, doctorCommand, formatDoctor } from '../../src/cli/doctor.ts';
import { resolveToolsDir } from '../../src/platform/toolchain.mjs';

const toolsBin = path.join(resolveToolsDir(), 'bin');

const saved = { K6_BIN: process.env.K6_BIN, TOXIPROXY_BIN: process.env.TOXIPROXY_BIN };
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('gameday doctor', () => {
  it('reports a binary named by K6_BIN with its real version and where it came from', () => {
    process.env.K6_BIN = path.join(toolsBin, 'k6');
    const k6 = checkTools().find((c) => c.name === 'k6')!;
    expect(k6.found).toMatchObject({ path: path.join(toolsBin, 'k6'), source: 'K6_BIN', version: 'v1.7.1' });
    expect(k6.compatible).toBe(true);
    let out = '';
    expect(doctorCommand((t) => (out += t))).toBe(0);
    expect(out).toMatch(/^ok {6}k6 v1\.7\.1 \(pinned v1\.7\.1\): .*\[K6_BIN\]$/m);
  });

  it('says what is missing and how to fix it, and exits 1', () => {
    process.env.TOXIPROXY_BIN = '/nonexistent/toxiproxy-server';
    let out = '';
    expect(doctorCommand((t) => (out += t))).toBe(1);
    expect(out).toContain('MISSING toxiproxy v2.12.0');
    expect(out).toContain('TOXIPROXY_BIN=/nonexistent/toxiproxy-server does not exist');
  });

  it('a missing system binary names the apt-get package', () => {
    const checks = checkTools({ ...process.env, NGINX_BIN: '/nonexistent/nginx' });
    const text = formatDoctor(checks, 'v20.0.0');
    expect(text).toContain('MISSING nginx: needed for drills with target.loadBalancer');
    expect(text).toContain('install: apt-get install nginx, or set NGINX_BIN');
  });
});
