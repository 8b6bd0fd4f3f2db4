// Manifests for the k6-operator: a ConfigMap holding the bundled script and a TestRun
// (k6.io/v1alpha1) that runs it on `parallelism` runners, each on its own execution segment.
import YAML from 'yaml';
import { z } from 'zod';

/** The fields of the k6-operator TestRun CRD (config/crd/bases/k6.io_testruns.yaml) that gameday writes. */
export const TestRun = z.object({
  apiVersion: z.literal('k6.io/v1alpha1'),
  kind: z.literal('TestRun'),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63), namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z
    .object({
      parallelism: z.number().int().min(1).max(2 ** 31 - 1),
      script: z.object({ configMap: z.object({ name: z.string().min(1), file: z.string().min(1) }).strict() }).strict(),
      arguments: z.string().optional(),
      separate: z.boolean().optional(),
      cleanup: z.enum(['post']).optional(),
      runner: z
        .object({
          env: z.array(z.object({ name: z.string(), value: z.string().optional(), valueFrom: z.unknown().optional() })).optional(),
          volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).optional(),
          volumes: z.array(z.object({ name: z.string() }).passthrough()).optional(),
        })
        .passthrough()
        .optional(),
    })
    .strict(),
});
export type TestRun = z.infer<typeof TestRun>;

export interface K8sOptions {
  name: string;
  parallelism: number;
  script: string;
  namespace?: string;
  /** secret env vars the script needs (webhook secrets), taken from this Kubernetes Secret */
  secretName?: string;
  secretEnv?: string[];
}

export const RUNNER_SAMPLES = '/output/k6_samples.ndjson.gz';

export function k8sManifests(o: K8sOptions): { configMap: string; testRun: string; testRunObject: TestRun } {
  const name = o.name.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 50);
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-script`, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { 'app.kubernetes.io/managed-by': 'gameday' } },
    data: { 'script.js': o.script },
  };
  const testRun: TestRun = TestRun.parse({
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: { 'app.kubernetes.io/managed-by': 'gameday' } },
    spec: {
      parallelism: o.parallelism,
      script: { configMap: { name: `${name}-script`, file: 'script.js' } },
      // every runner writes its samples; copy them out (kubectl cp) and `gameday ingest` them
      arguments: `--out json=${RUNNER_SAMPLES} --tag testid=${name}`,
      separate: false,
      runner: {
        env: (o.secretEnv ?? []).map((env) => ({ name: env, valueFrom: { secretKeyRef: { name: o.secretName ?? `${name}-secrets`, key: env } } })),
        volumeMounts: [{ name: 'output', mountPath: '/output' }],
        volumes: [{ name: 'output', emptyDir: {} }],
      },
    },
  });
  return { configMap: YAML.stringify(configMap), testRun: YAML.stringify(testRun), testRunObject: testRun };
}
