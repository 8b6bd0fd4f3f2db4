// After pods are deleted: their replacements (pods matching the selector that were not there
// before, Running and Ready) observed on the API, each with the time from the delete to the moment
// it was first seen Ready. Polled (every 50 ms by default), bounded in time.
import type { V1Pod } from '@kubernetes/client-node';
import { sleep } from '../../src/platform/poll.ts';
import { newReadyPods } from './manifests.ts';

export interface Replacement {
  pod: string;
  node: string | null;
  /** from the first delete call to the first poll that saw it Ready */
  readyAfterMs: number;
}

export interface ReplacementWatch {
  /** resolves when `count` replacements are Ready or the time is up (then `complete` is false) */
  done: Promise<{ replacements: Replacement[]; complete: boolean }>;
  stop(): void;
}

export function watchReplacements(o: { list: () => Promise<V1Pod[]>; before: ReadonlySet<string>; count: number; since: number; timeoutMs: number; intervalMs?: number }): ReplacementWatch {
  const abort = new AbortController();
  const seen = new Map<string, Replacement>();
  const done = (async () => {
    const deadline = o.since + o.timeoutMs;
    while (seen.size < o.count && performance.now() < deadline && !abort.signal.aborted) {
      try {
        for (const pod of newReadyPods(o.before, await o.list())) {
          const uid = pod.metadata?.uid ?? '';
          if (!seen.has(uid)) seen.set(uid, { pod: pod.metadata?.name ?? uid, node: pod.spec?.nodeName ?? null, readyAfterMs: Math.round(performance.now() - o.since) });
        }
      } catch {
        /* one failed list (a busy API server) is retried on the next poll */
      }
      if (seen.size >= o.count) break;
      await sleep(o.intervalMs ?? 50, abort.signal).catch(() => undefined);
    }
    const replacements = [...seen.values()].sort((a, b) => a.readyAfterMs - b.readyAfterMs).slice(0, o.count);
    return { replacements, complete: replacements.length >= o.count };
  })();
  return { done, stop: () => abort.abort() };
}
