// The run's Toxiproxy: one started on 127.0.0.1 for the run, or the existing one at TOXIPROXY_URL
// (refused off loopback unless the drill allows it).
import fs from 'node:fs';
import path from 'node:path';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { freePort, waitHealthy } from '../platform/processes.ts';
import { shorten } from '../platform/setup-error.mjs';
import { requireTool } from '../platform/toolchain.mjs';
import { refuseRemote, type EnvironmentOptions } from './target.ts';

export async function startToxiproxy(o: EnvironmentOptions): Promise<{ driver: ToxiproxyDriver; version: string; source: string }> {
  const existing = process.env.TOXIPROXY_URL;
  if (existing) {
    refuseRemote(existing, o.drill);
    const driver = new ToxiproxyDriver(existing.replace(/\/$/, ''));
    let version: string;
    try {
      version = await driver.version();
    } catch (err) {
      // the Toxiproxy client drops fetch's cause ("fetch failed"): ask once more to learn why (ECONNREFUSED, ENOTFOUND, ...)
      const probe: unknown = await fetch(`${existing.replace(/\/$/, '')}/version`, { signal: AbortSignal.timeout(2000) }).then(() => err, (e: unknown) => e);
      let why = (err as Error).message;
      for (let e: unknown = probe, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
        const code = (e as { code?: unknown }).code;
        if (typeof code === 'string') {
          why = code;
          break;
        }
      }
      throw new Error(`no Toxiproxy answers at TOXIPROXY_URL=${shorten(existing)} (${why}): start it there, or unset TOXIPROXY_URL so that gameday starts its own`);
    }
    return { driver, version, source: `TOXIPROXY_URL=${existing}` };
  }
  const tool = requireTool('toxiproxy');
  const port = await freePort();
  const log = fs.openSync(path.join(o.logDir, 'toxiproxy.log'), 'w');
  const proc = o.group.spawn('toxiproxy-server', tool.path, ['-host', '127.0.0.1', '-port', String(port)], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(`${url}/version`, 10_000, proc);
  return { driver: new ToxiproxyDriver(url), version: tool.version ?? 'unknown', source: tool.source };
}
