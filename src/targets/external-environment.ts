// The environment of an external target: a system that already runs. Nothing of it is started or
// stopped. Before anything else, every endpoint's health probe (down: a DrillError, exit 3, nothing
// injected) and, when faults name proxies of the team's Toxiproxy, that each of them exists. Then
// gameday's own Toxiproxy on 127.0.0.1 with one proxy in front of each endpoint: the load path
// k6 -> proxy -> endpoint, where toxiproxy faults on an endpoint act. Faults with `proxy:` add
// toxics named with the run id to the team's proxy (in the ledger first) and remove only those.
import type { FaultDriver, InjectedFault } from '../../chaos/driver.ts';
import type { FaultRequest } from '../../chaos/registry.ts';
import { ToxiproxyDriver } from '../../chaos/toxiproxy.ts';
import { DrillError } from '../schema/config-file.ts';
import type { RunningTarget } from '../schema/external.ts';
import { checkHealth, proxyEndpoints, refuseRemoteEndpoints, type ProxiedEndpoint } from './external.ts';
import { startToxiproxy } from './toxiproxy-server.ts';
import type { Environment, EnvironmentOptions } from './target.ts';

/** The prefix of gameday's toxics on a team's Toxiproxy: the run id, so a sweep removes one run's only. */
export const teamToxicPrefix = (runId: string) => `gameday-${runId}-`;

/** Toxiproxy faults go to the run's own proxies, or (those with `proxy:`) to the team's Toxiproxy. */
class RoutedToxiproxy implements FaultDriver {
  readonly name = 'toxiproxy' as const;
  constructor(
    private readonly own: ToxiproxyDriver,
    private readonly team: ToxiproxyDriver | null,
    private readonly teamFaults: ReadonlySet<string>,
  ) {}
  private pick(request: FaultRequest): ToxiproxyDriver {
    return this.teamFaults.has(request.name) && this.team ? this.team : this.own;
  }
  inject(request: FaultRequest): Promise<InjectedFault> {
    return this.pick(request).inject(request);
  }
  revert(fault: InjectedFault | FaultRequest): Promise<void> {
    return this.pick('request' in fault ? fault.request : fault).revert(fault);
  }
}

/** The team's Toxiproxy, checked to hold every proxy a fault names (before anything is injected). */
async function teamToxiproxy(o: EnvironmentOptions, url: string, file: string): Promise<ToxiproxyDriver> {
  const apiUrl = url.replace(/\/$/, '');
  const driver = new ToxiproxyDriver(apiUrl, {
    toxicPrefix: teamToxicPrefix(o.runId),
    beforeToxics: (proxy, toxics) => o.ledger.toxicsAdded(apiUrl, proxy, toxics),
    toxicsRemoved: (proxy, toxics) => o.ledger.toxicsRemoved(apiUrl, proxy, toxics),
  });
  let existing: string[];
  try {
    existing = (await driver.proxies()).map((p) => p.name);
  } catch (err) {
    throw new DrillError(file, [`the team's Toxiproxy at ${apiUrl} does not answer (${(err as Error).cause ?? (err as Error).message}): start it, or fix target.toxiproxy.url / TOXIPROXY_URL — nothing was injected`]);
  }
  const problems = o.drill.faults.flatMap((f, i) =>
    f.proxy !== undefined && !existing.includes(f.proxy)
      ? [`faults[${i}].proxy: the Toxiproxy at ${apiUrl} has no proxy "${f.proxy}" (it has ${existing.join(', ') || 'none'}): gameday adds toxics to an existing proxy and never creates one — nothing was injected`]
      : [],
  );
  if (problems.length) throw new DrillError(file, problems, "the drill's target");
  return driver;
}

export async function startExternalEnvironment(o: EnvironmentOptions, target: RunningTarget): Promise<Environment> {
  const file = o.drillFile ?? o.drillDir;
  const allow = target.allowRemote ?? o.drill.allowRemote;
  // preflight refused these already; checked again here, still before any connection
  refuseRemoteEndpoints(target.endpoints, { allowRemote: allow });
  const health: Record<string, string> = {};
  const down: string[] = [];
  for (const e of target.endpoints) {
    try {
      await checkHealth(e);
      health[e.name] = 'up';
    } catch (err) {
      down.push((err as Error).message);
    }
  }
  if (down.length) throw new DrillError(file, down, "the drill's target");
  const teamFaults = new Set(o.drill.faults.filter((f) => f.proxy !== undefined).map((f) => f.name));
  const teamUrl = target.toxiproxy?.url ?? process.env.TOXIPROXY_URL ?? null;
  const team = teamFaults.size && teamUrl ? await teamToxiproxy(o, teamUrl, file) : null;
  const tx = await startToxiproxy(o);
  const proxied: ProxiedEndpoint[] = await proxyEndpoints({ endpoints: target.endpoints, toxiproxy: tx.driver, ledger: o.ledger, runId: o.runId });
  const routed = new RoutedToxiproxy(tx.driver, team, teamFaults);
  return {
    toxiproxy: tx.driver,
    toxiproxyVersion: tx.version,
    toxiproxySource: tx.source,
    replicas: [],
    proxiesOf: (name) => (name === target.name ? proxied.map((p) => p.proxy) : proxied.filter((p) => p.name === name).map((p) => p.proxy)),
    handles: () => [],
    entryUrls: proxied.map((p) => p.url),
    entryHeaders: target.endpoints.map((e) => Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, v.startsWith('env:') ? { env: v.slice(4) } : { value: v }]))),
    loadBalancer: null,
    broker: null,
    disk: null,
    drivers: () => ({ toxiproxy: routed }),
    targetsOf: (fault) => (fault.proxy !== undefined ? [fault.proxy] : []),
    chaosFigures: () => ({}),
    chaosEvidence: () => ({
      external: {
        name: target.name,
        // header names only: their values (tokens) never reach the evidence
        endpoints: target.endpoints.map((e, i) => ({ name: e.name, baseUrl: e.baseUrl, headers: Object.keys(e.headers), insecureSkipTlsVerify: e.insecureSkipTlsVerify, health: health[e.name], proxy: proxied[i].proxy, loadUrl: proxied[i].url })),
        allowRemote: allow ?? null,
        teamToxiproxy: team ? { url: team.apiUrl, toxicPrefix: teamToxicPrefix(o.runId), proxies: [...new Set(o.drill.faults.flatMap((f) => (f.proxy ? [f.proxy] : [])))] } : null,
      },
    }),
    // nothing of the system is gameday's to stop; its own Toxiproxy is a process of the run
    stop: async () => {},
  };
}
