// The environment of a kubernetes target: workloads that already run on a cluster. Its endpoints are
// handled as an external target's (health probed first, load through gameday's own Toxiproxy); its
// pods, selected by namespace and label selector, are what kubernetes faults act on. Before anything
// is injected: the kubeconfig read and its context found, its API server on this machine (or listed
// in allowRemote.hosts, or its context in allowRemote.contexts) — all before any connection — then the API server answers and the selector
// matches at least one running pod: an empty selection is a clear error, not a silent no-op.
import path from 'node:path';
import { apiErrorMessage, connect, kubeconfigFiles, loadKubeConfig } from '../../chaos/kubernetes/client.ts';
import { KubernetesDriver } from '../../chaos/kubernetes/driver.ts';
import { apiServerRefusal } from '../platform/kube-server.ts';
import { ownerMarker } from '../platform/processes.ts';
import { DrillError } from '../schema/config-file.ts';
import type { KubernetesTarget } from '../schema/external.ts';
import { parseLabelSelector } from '../schema/label-selector.ts';
import { podReplacementFigures } from './chaos-figures.ts';
import { startExternalEnvironment } from './external-environment.ts';
import type { Environment, EnvironmentOptions } from './target.ts';

export async function startKubernetesEnvironment(o: EnvironmentOptions, target: KubernetesTarget): Promise<Environment> {
  const file = o.drillFile ?? o.drillDir;
  const spec = target.kubernetes;
  const fail = (message: string): never => {
    throw new DrillError(file, [`target.kubernetes: ${message} — nothing was injected`], "the drill's target");
  };
  const files = kubeconfigFiles(spec.kubeconfig === undefined ? undefined : path.resolve(o.drillDir, spec.kubeconfig), process.env);
  let loaded: ReturnType<typeof loadKubeConfig>;
  try {
    loaded = loadKubeConfig(files, spec.context);
  } catch (err) {
    return fail((err as Error).message);
  }
  const allow = target.allowRemote ?? o.drill.allowRemote;
  const refusal = apiServerRefusal(loaded.server, allow, loaded.context);
  if (refusal) throw new DrillError(file, [`target.kubernetes (context ${loaded.context}): ${refusal}`], "the drill's target");
  const api = connect(loaded);
  const parsed = parseLabelSelector(spec.labelSelector);
  if (!parsed.ok) return fail(parsed.error); // the schema refused it already
  const driver = new KubernetesDriver({
    api,
    namespace: spec.namespace,
    labelSelector: spec.labelSelector,
    requirements: parsed.requirements,
    zoneLabel: spec.zoneLabel,
    runId: o.runId,
    owner: ownerMarker(),
    record: (change) => o.ledger.kubeChanging(change),
    undone: (change) => o.ledger.kubeRestored(change),
  });
  let matched;
  try {
    matched = await driver.matching();
  } catch (err) {
    return fail(`the API server ${loaded.server} (context ${loaded.context}) did not list the pods: ${apiErrorMessage((err as { cause?: unknown }).cause ?? err)}`);
  }
  if (matched.length === 0) fail(`no running pod in namespace ${spec.namespace} matches ${spec.labelSelector} on ${loaded.server} (context ${loaded.context}): deploy the workload, or fix the namespace or labelSelector`);
  // before the first change: where it is made, so a sweep can undo it after kill -9
  o.ledger.kubeUsed({ kubeconfig: loaded.files, context: loaded.context, server: loaded.server, namespace: spec.namespace });
  const env = await startExternalEnvironment(o, target);
  return {
    ...env,
    drivers: () => ({ ...env.drivers(), kubernetes: driver }),
    chaosFigures: () => ({ ...env.chaosFigures(), ...podReplacementFigures([...driver.faults].map(([name, f]) => ({ name, replacements: f.replacements }))) }),
    chaosEvidence: () => ({
      ...env.chaosEvidence(),
      kubernetes: {
        server: loaded.server,
        context: loaded.context,
        kubeconfig: loaded.files,
        namespace: spec.namespace,
        labelSelector: spec.labelSelector,
        zoneLabel: spec.zoneLabel,
        allowRemote: allow ?? null,
        // the blast radius: what matched at start, and per fault what it picked (and its seed) and did
        matchedAtStart: matched.map((p) => ({ pod: p.metadata?.name, node: p.spec?.nodeName ?? null })),
        faults: Object.fromEntries(driver.faults),
      },
    }),
    stop: async () => {
      driver.close();
      await env.stop();
    },
  };
}
