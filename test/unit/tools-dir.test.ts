// Where gameday's own files and its pinned tools are: the repository (sources, .tools/) or an
// installed package (dist/, the user's cache), GAMEDAY_TOOLS_DIR and XDG_CACHE_HOME honoured.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPackageRoot, isCheckout, packageFile, packageRoot } from '../../src/platform/package-files.mjs';
import { SetupError } from '../../src/platform/setup-error.mjs';
import { displayDir, installCommand, isCompatible, pinnedRelease, pinnedTool, requireTool, resolveToolsDir, toolsSource } from '../../src/platform/toolchain.mjs';
import { prometheusConfig } from '../../src/targets/prometheus.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-tools-dir-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** An installed package's layout: package.json, dist/ with a compiled module, scenarios/ as source. */
function installedPackage(): string {
  const root = path.join(tmp, 'node_modules', 'gameday');
  for (const [rel, text] of Object.entries({
    'package.json': JSON.stringify({ name: 'gameday' }),
    'dist/src/platform/package-files.js': '',
    'dist/simulators/container-entry.js': '',
    'scenarios/drill.ts': '',
  })) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('package files', () => {
  it('finds the package root from the sources and from dist/', () => {
    expect(fs.existsSync(path.join(packageRoot, 'src', 'cli', 'main.ts'))).toBe(true);
    const root = installedPackage();
    expect(findPackageRoot(path.join(root, 'dist', 'src', 'platform'))).toBe(root);
    expect(isCheckout(root)).toBe(false);
  });

  it('a module is its source where shipped, else its compiled twin, else an error saying to reinstall', () => {
    const root = installedPackage();
    expect(packageFile('scenarios/drill.ts', root)).toBe(path.join(root, 'scenarios', 'drill.ts'));
    expect(packageFile('simulators/container-entry.ts', root)).toBe(path.join(root, 'dist', 'simulators', 'container-entry.js'));
    expect(() => packageFile('src/nope.ts', root)).toThrow(/gameday's src\/nope\.ts is missing .*reinstall gameday/);
  });
});

describe('the tools folder', () => {
  it('GAMEDAY_TOOLS_DIR first, then a checkout\'s .tools, then the user cache', () => {
    expect(resolveToolsDir({ GAMEDAY_TOOLS_DIR: '/opt/t', XDG_CACHE_HOME: '/c' }, '/repo', true)).toBe('/opt/t');
    expect(resolveToolsDir({ XDG_CACHE_HOME: '/c' }, '/repo', true)).toBe('/repo/.tools');
    expect(resolveToolsDir({ XDG_CACHE_HOME: '/c' }, '/pkg', false)).toBe('/c/gameday/tools');
    expect(resolveToolsDir({ XDG_CACHE_HOME: 'relative' }, '/pkg', false)).toBe(path.join(os.homedir(), '.cache', 'gameday', 'tools'));
    expect(resolveToolsDir({}, '/pkg', false)).toBe(path.join(os.homedir(), '.cache', 'gameday', 'tools'));
  });

  it('names where a tool came from and the command that installs the missing ones', () => {
    expect(toolsSource({ GAMEDAY_TOOLS_DIR: '/x' })).toBe('GAMEDAY_TOOLS_DIR');
    expect(toolsSource({}, packageRoot)).toBe('.tools/bin');
    expect(toolsSource({}, installedPackage())).toBe('tools cache');
    expect(installCommand(packageRoot)).toBe('npm run bootstrap');
    expect(installCommand(installedPackage())).toBe('npx gameday doctor --install');
    expect(displayDir(path.join(os.homedir(), '.cache', 'gameday'))).toBe('~/.cache/gameday');
  });
});

describe('a tool that is missing', () => {
  it('without Go to build it: a SetupError naming the tools folder, the install command and the variable', () => {
    const saved = { PATH: process.env.PATH, GAMEDAY_TOOLS_DIR: process.env.GAMEDAY_TOOLS_DIR, K6_BIN: process.env.K6_BIN };
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    Object.assign(process.env, { PATH: empty, GAMEDAY_TOOLS_DIR: empty });
    delete process.env.K6_BIN;
    try {
      const err = (() => {
        try {
          requireTool('k6');
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err).toBeInstanceOf(SetupError);
      expect(err!.message).toBe(`k6 v1.7.1 is not installed and Go is not there to build it: install Go and run 'npm run bootstrap' (it installs it into ${path.join(empty, 'bin')}), or set K6_BIN=/path/to/k6.`);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('a pinned tool whose module version is not its release (Prometheus)', () => {
  it('is judged by the release its binary reports (3.16.0), not its module version (v0.316.0)', () => {
    const spec = pinnedTool('prometheus');
    expect(spec.version).toBe('v0.316.0');
    expect(pinnedRelease(spec)).toBe('v3.16.0');
    expect(spec.ldflags).toContain('version.Version=3.16.0');
    expect(spec.tags).toBe('remove_all_sd');
    expect(isCompatible('prometheus, version 3.16.0 (branch: , revision: unknown)', pinnedRelease(spec))).toBe(true);
    // Debian 12's 2.42 is not used from PATH: its discovery hands over the first targets only after 5 s
    expect(isCompatible('prometheus, version 2.42.0+ds', pinnedRelease(spec))).toBe(false);
    expect(pinnedRelease(pinnedTool('k6'))).toBe(pinnedTool('k6').version);
  });

  it("Prometheus 3 reads a target's answer without a Content-Type as text 0.0.4; 2.x is not given the key it does not know", () => {
    const jobs = (major?: number) => JSON.parse(prometheusConfig({ targets: [{ address: '127.0.0.1:1' }], major })).scrape_configs;
    expect(jobs(3)[0].fallback_scrape_protocol).toBe('PrometheusText0.0.4');
    expect(jobs(undefined)[0].fallback_scrape_protocol).toBe('PrometheusText0.0.4');
    expect(jobs(2)[0]).not.toHaveProperty('fallback_scrape_protocol');
  });
});
