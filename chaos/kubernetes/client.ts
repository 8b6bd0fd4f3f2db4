// The Kubernetes API as the driver and the sweep use it (@kubernetes/client-node): the kubeconfig
// found as loadFromDefault finds it (KUBECONFIG's files merged in order, else ~/.kube/config), a
// context that must exist, and the three API groups the faults need. Errors say which file and
// context, and what to write; an API error becomes one line (status, reason, message).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppsV1Api, CoreV1Api, createConfiguration, KubeConfig, NetworkingV1Api, PatchStrategy, ServerConfiguration, setHeaderOptions, type Configuration } from '@kubernetes/client-node';

/** The kubeconfig files gameday reads: the drill's, else KUBECONFIG's (in order), else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv, home = os.homedir()): string[] {
  if (explicit) return [explicit];
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  return fromEnv.length ? fromEnv : [path.join(home, '.kube', 'config')];
}

export interface KubeConnection {
  config: KubeConfig;
  files: string[];
  context: string;
  server: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  networking: NetworkingV1Api;
}

/** The kubeconfig's files loaded and merged, the context chosen; no connection is made. Throws a message that says what to fix. */
export function loadKubeConfig(files: readonly string[], context: string | undefined): Omit<KubeConnection, 'core' | 'apps' | 'networking'> {
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length) throw new Error(`kubeconfig ${missing.join(', ')} not found: set target.kubernetes.kubeconfig or KUBECONFIG to your cluster's kubeconfig`);
  const config = new KubeConfig();
  try {
    config.loadFromFile(files[0]!);
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      config.mergeConfig(more, true);
    }
  } catch (err) {
    throw new Error(`kubeconfig ${files.join(path.delimiter)} cannot be read: ${(err as Error).message}`);
  }
  const names = config.getContexts().map((c) => c.name);
  const chosen = context ?? config.getCurrentContext();
  if (!chosen) throw new Error(`kubeconfig ${files.join(path.delimiter)} has no current-context: name one in target.kubernetes.context (it has ${names.join(', ') || 'none'})`);
  if (!names.includes(chosen)) throw new Error(`kubeconfig ${files.join(path.delimiter)} has no context "${chosen}" (it has ${names.join(', ') || 'none'}): fix target.kubernetes.context`);
  config.setCurrentContext(chosen);
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) throw new Error(`kubeconfig ${files.join(path.delimiter)}: context "${chosen}" names no cluster with a server`);
  return { config, files: [...files], context: chosen, server: cluster.server };
}

/**
 * API clients for a loaded kubeconfig (still no connection), as KubeConfig.makeApiClient makes
 * them but with every request bounded in time: an API server that stops answering fails a call
 * (and so an inject, a revert or the sweep) instead of holding it forever.
 */
export function connect(loaded: Omit<KubeConnection, 'core' | 'apps' | 'networking'>, requestTimeoutMs = 15_000): KubeConnection {
  const configuration = createConfiguration({
    baseServer: new ServerConfiguration(loaded.server, {}),
    authMethods: { default: loaded.config },
    promiseMiddleware: [
      {
        pre: async (request) => {
          request.setSignal(AbortSignal.timeout(requestTimeoutMs));
          return request;
        },
        post: async (response) => response,
      },
    ],
  });
  const client = <T>(Api: new (c: Configuration) => T): T => new Api(configuration);
  return { ...loaded, core: client(CoreV1Api), apps: client(AppsV1Api), networking: client(NetworkingV1Api) };
}

/** Options for a JSON merge patch (the client sends a JSON patch by default). */
export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The HTTP status of an API error (0 when it is not one: no answer). */
export function apiStatus(err: unknown): number {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' ? code : 0;
}

export const isNotFound = (err: unknown) => apiStatus(err) === 404;

/** One line for an API error: the server's status message, else the transport's. */
export function apiErrorMessage(err: unknown): string {
  const e = err as { code?: number; body?: unknown; message?: string; cause?: unknown };
  if (typeof e.code === 'number') {
    let body: { message?: string; reason?: string } = {};
    try {
      body = typeof e.body === 'string' ? JSON.parse(e.body) : ((e.body as typeof body) ?? {});
    } catch {
      /* not JSON */
    }
    return `HTTP ${e.code}${body.reason ? ` ${body.reason}` : ''}: ${body.message ?? String(e.body ?? e.message).slice(0, 300)}`;
  }
  if ((e as { name?: string }).name === 'AbortError' || (e as { type?: string }).type === 'aborted') return 'the API server did not answer in time (the request was given up)';
  const cause = e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : '';
  return `${e.message ?? String(err)}${cause}`;
}
