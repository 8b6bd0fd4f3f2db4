// The checks of an external target before anything starts, with no connection made: every endpoint
// (and the team's Toxiproxy) on loopback or allowed by allowRemote with its host listed, every
// "env:" header set, a team Toxiproxy known when a fault names one of its proxies. Pure but for
// the environment it is handed.
import { isRunningSystem, type Drill } from '../schema/drill.ts';
import { remoteRefusal } from '../schema/external.ts';

export interface ExternalPreflight {
  headerSecrets: string[];
  teamToxiproxy: string | null;
}

export function checkExternalTarget(drill: Drill, env: NodeJS.ProcessEnv, problems: string[]): ExternalPreflight {
  const target = drill.target;
  if (!isRunningSystem(target)) return { headerSecrets: [], teamToxiproxy: null };
  const allow = target.allowRemote ?? drill.allowRemote;
  const headerSecrets: string[] = [];
  target.endpoints.forEach((e, i) => {
    const refusal = remoteRefusal(e.baseUrl, allow, `target.endpoints[${i}].baseUrl:`);
    if (refusal) problems.push(refusal);
    for (const [k, v] of Object.entries(e.headers)) {
      if (!v.startsWith('env:')) continue;
      const name = v.slice(4);
      const value = env[name];
      if (value) headerSecrets.push(value);
      else problems.push(`target.endpoints[${i}].headers.${k}: environment variable ${name} is not set: export it before running (its value is sent, never written to the evidence)`);
    }
  });
  const teamToxiproxy = target.toxiproxy?.url ?? env.TOXIPROXY_URL ?? null;
  const proxyFaults = drill.faults.map((f, i) => [f, i] as const).filter(([f]) => f.proxy !== undefined);
  if (proxyFaults.length && !teamToxiproxy) {
    problems.push(`faults[${proxyFaults[0][1]}].proxy: "${proxyFaults[0][0].proxy}" is a proxy of your Toxiproxy, and none is named: set target.toxiproxy.url (or TOXIPROXY_URL)`);
  }
  if (teamToxiproxy) {
    const refusal = remoteRefusal(teamToxiproxy, allow, target.toxiproxy ? 'target.toxiproxy.url:' : 'TOXIPROXY_URL:', !target.toxiproxy);
    if (refusal) problems.push(refusal);
  }
  return { headerSecrets, teamToxiproxy: proxyFaults.length ? teamToxiproxy : null };
}
