// `gameday k8s`: what to apply to a cluster running the k6-operator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { k8sManifests, RUNNER_SAMPLES } from '../k6/k8s.ts';
import { bundleDrill } from './bundle.ts';

export interface K8sCommandOptions {
  out: string;
  parallelism: number;
  target: string[];
  namespace?: string;
  timeScale?: number;
}

export async function k8sCommand(drillFile: string, o: K8sCommandOptions): Promise<string> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gameday-k8s-'));
  try {
    const script = path.join(scratch, 'script.js');
    const { drill, secrets } = await bundleDrill(drillFile, o.target, script, o.timeScale);
    const m = k8sManifests({ name: drill.name, parallelism: o.parallelism, script: fs.readFileSync(script, 'utf8'), namespace: o.namespace, secretEnv: secrets });
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, 'configmap.yaml'), m.configMap);
    fs.writeFileSync(path.join(o.out, 'testrun.yaml'), m.testRun);
    return [
      `${o.out}/configmap.yaml and ${o.out}/testrun.yaml: ${drill.name} on ${o.parallelism} k6 runners`,
      `  kubectl apply -f ${o.out}/configmap.yaml -f ${o.out}/testrun.yaml`,
      ...(secrets.length ? [`  first create the Secret ${m.testRunObject.metadata.name}-secrets with ${secrets.join(', ')}`] : []),
      `  then copy each runner's ${RUNNER_SAMPLES} out and run: gameday ingest ${drillFile} <files...>`,
    ].join('\n');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
