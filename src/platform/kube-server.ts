// Which Kubernetes API servers a drill may act on: the one blast-radius rule (remote.ts) —
// loopback only, unless the drill's allowRemote gives a reason and lists the server's host, or the
// kubeconfig context the drill uses (allowRemote.contexts: a cluster is usually known by its context).
// Pure: checked before any call.
import { remoteRefusal, type RemoteAllowance } from './remote.ts';

/** null when the kubeconfig's server may be used, else why not and what to write. */
export function apiServerRefusal(server: string, allow: (RemoteAllowance & { contexts?: readonly string[] }) | undefined, context?: string): string | null {
  const refusal = remoteRefusal(server, allow, "the kubeconfig's API server");
  if (refusal === null || !allow || context === undefined) return refusal;
  if (allow.contexts?.includes(context)) return null;
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  return `the kubeconfig's API server ${server} is not on loopback, its host ${host} is not in allowRemote.hosts (${allow.hosts?.join(', ') || 'none listed'}) and its context ${context} is not in allowRemote.contexts (${allow.contexts?.join(', ') || 'none listed'}): add one of them, or use a context whose server is on this machine — nothing was contacted`;
}
