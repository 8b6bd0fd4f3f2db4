// The blast radius of a drill's AWS FIS faults, decided before anything starts (preflight, so
// `gameday validate` and `gameday run` refuse alike, exit 3): each fault's spec completed from the
// fault, and the endpoint the AWS SDK will use — AWS_ENDPOINT_URL_FIS, else AWS_ENDPOINT_URL, else
// AWS itself. An endpoint off loopback needs the drill's allowRemote naming, in awsAccounts, every
// account the specs act in. Pure: the environment is a parameter.
import type { Drill } from '../schema/drill.ts';
import { fisAccounts, fisSpecOfFault } from '../schema/fis-drill.ts';
import type { FisFaultSpec } from '../schema/fis.ts';
import { isLoopbackUrl } from '../platform/loopback.ts';
import { guardAlarms } from '../schema/guards.ts';

/** The FIS endpoint the AWS SDK will use: the environment's override, or null for AWS itself. */
export function fisEndpoint(env: NodeJS.ProcessEnv): string | null {
  return env.AWS_ENDPOINT_URL_FIS || env.AWS_ENDPOINT_URL || null;
}

export interface FisPlan {
  /** each FIS fault's spec, completed from the fault */
  specs: Record<string, FisFaultSpec>;
  regions: string[];
  endpoint: string | null;
  /** the endpoint is not on this machine (real AWS) */
  remote: boolean;
  /** the AWS accounts the specs act in (role, alarms, target ARNs) */
  accounts: string[];
}

/**
 * The drill's FIS faults, or null when it has none. Throws, before anything is sent, when the
 * endpoint is off loopback and allowRemote does not name every account the experiments act in.
 */
export function planFis(drill: Pick<Drill, 'faults' | 'allowRemote' | 'guards'>, env: NodeJS.ProcessEnv): FisPlan | null {
  const specs: Record<string, FisFaultSpec> = {};
  for (const f of drill.faults) {
    if (f.driver !== 'fis') continue;
    // the guards' CloudWatch alarms stop every experiment too
    const result = fisSpecOfFault(f, guardAlarms(drill.guards));
    if (!result.ok) throw new Error(`fault ${f.name}: ${result.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    specs[f.name] = result.spec;
  }
  if (Object.keys(specs).length === 0) return null;
  const endpoint = fisEndpoint(env);
  let remote = true;
  if (endpoint !== null) {
    try {
      remote = !isLoopbackUrl(endpoint);
    } catch {
      throw new Error(`AWS_ENDPOINT_URL_FIS=${endpoint} is not a URL: write e.g. http://127.0.0.1:4566, or unset it to use AWS`);
    }
  }
  const accounts = [...new Set(Object.values(specs).flatMap(fisAccounts))].sort();
  if (remote) {
    const where = endpoint ?? 'AWS';
    const allowed = drill.allowRemote?.awsAccounts ?? [];
    const missing = accounts.filter((a) => !allowed.includes(a));
    if (!drill.allowRemote || !drill.allowRemote.awsAccounts) {
      throw new Error(
        `the FIS faults would act on ${where} in account(s) ${accounts.join(', ')}: a drill only touches this machine unless it says why and names them: allowRemote: { reason: "...", awsAccounts: [${accounts.map((a) => `"${a}"`).join(', ')}] } (or point AWS_ENDPOINT_URL_FIS at a local emulator)`,
      );
    }
    if (missing.length) throw new Error(`the FIS faults act in account(s) ${missing.join(', ')}, which allowRemote.awsAccounts (${allowed.join(', ')}) does not name: add them, or change the specs`);
  }
  return { specs, regions: [...new Set(Object.values(specs).map((s) => s.region))].sort(), endpoint, remote, accounts };
}
