// Which Kubernetes API servers a drill may act on: loopback only, unless the drill's
// `allowRemote` names the server (its host, or "*" for any). Pure: checked before any call.
import { isLoopbackHost } from './loopback.ts';

/** null when the server may be used, else why not and what to write. */
export function apiServerRefusal(server: string, allowRemote: readonly string[] = []): string | null {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return `the kubeconfig's server "${server}" is not a URL`;
  }
  if (isLoopbackHost(url.hostname)) return null;
  if (allowRemote.includes('*') || allowRemote.includes(url.hostname)) return null;
  return `the API server ${url.host} is not on this machine: gameday acts only on a loopback API server unless the drill allows it (target.allowRemote: ["${url.hostname}"])`;
}
