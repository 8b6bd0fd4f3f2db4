// Which Kubernetes API servers a drill may act on: the one blast-radius rule (remote.ts) —
// loopback only, unless the drill's allowRemote gives a reason and lists the server's host.
// Pure: checked before any call.
import { remoteRefusal, type RemoteAllowance } from './remote.ts';

/** null when the kubeconfig's server may be used, else why not and what to write. */
export function apiServerRefusal(server: string, allow: RemoteAllowance | undefined): string | null {
  return remoteRefusal(server, allow, "the kubeconfig's API server");
}
