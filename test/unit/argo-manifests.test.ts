// deploy/argo/: both AnalysisTemplates (job and web providers) against the published
// AnalysisTemplate CRD schema of argo-rollouts (test/fixtures/crds/), the Job inside included, with
// unknown fields refused as an API server with strict field validation does; the Job runs a gameday
// command line the CLI accepts; and broken templates are rejected by the same check.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { buildProgram } from '../../src/cli/main.ts';
import { crdValidator, strictSchema } from '../support/crd-schema.ts';
import { ROOT } from '../helpers.ts';

const crd = crdValidator(path.join(ROOT, 'test/fixtures/crds/argoproj.io_analysistemplates.yaml'));
const load = (name: string) => YAML.parse(fs.readFileSync(path.join(ROOT, 'deploy/argo', name), 'utf8'));
const clone = <T>(v: T): T => structuredClone(v);

describe('strictSchema', () => {
  it('closes objects that list properties, leaves preserve-unknown-fields and maps open', () => {
    const s = strictSchema({
      type: 'object',
      properties: {
        a: { type: 'object', properties: { b: { type: 'string' } } },
        open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { c: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    });
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.a.additionalProperties).toBe(false);
    expect(s.properties.open.additionalProperties).toBeUndefined();
    expect(s.properties.labels.additionalProperties).toEqual({ type: 'string' });
  });
});

describe('deploy/argo AnalysisTemplates', () => {
  it('the CRD fixture is the AnalysisTemplate of argoproj.io/v1alpha1', () => {
    expect([crd.group, crd.kind, crd.version]).toEqual(['argoproj.io', 'AnalysisTemplate', 'v1alpha1']);
  });

  it('the job-provider template is valid, Job spec included, and runs `gameday run` with options the CLI has', () => {
    const t = load('analysis-template.yaml');
    expect(crd.check(t)).toEqual([]);
    const job = t.spec.metrics[0].provider.job.spec;
    expect(job.backoffLimit).toBe(0); // a failed drill is not retried into a pass
    expect(job.template.spec.restartPolicy).toBe('Never');
    const [container] = job.template.spec.containers;
    const [command, ...rest] = container.args as string[];
    expect(command).toBe('run');
    const run = buildProgram(() => {}).commands.find((c) => c.name() === 'run')!;
    const known = run.options.map((o) => o.long);
    for (const a of rest.filter((x) => x.startsWith('--'))) expect(known, a).toContain(a);
    // every {{args.NAME}} it uses is declared
    const declared = t.spec.args.map((a: { name: string }) => a.name);
    for (const m of JSON.stringify(t).matchAll(/\{\{args\.([\w-]+)\}\}/g)) expect(declared).toContain(m[1]);
    // the mounts name volumes that exist
    const volumes = job.template.spec.volumes.map((v: { name: string }) => v.name);
    for (const m of container.volumeMounts) expect(volumes).toContain(m.name);
  });

  it('the web-provider template is valid; CONDITIONAL meets neither condition (inconclusive)', () => {
    const t = load('analysis-template-web.yaml');
    expect(crd.check(t)).toEqual([]);
    const m = t.spec.metrics[0];
    expect(m.successCondition).toBe('result.decision == "GO"');
    expect(m.failureCondition).toContain('result.decision == "NO-GO"');
    expect(m.failureCondition).toContain('result.invalid == true');
    expect(`${m.successCondition} ${m.failureCondition}`).not.toContain('CONDITIONAL');
    expect(m.provider.web.url).toBe('{{args.verdict-url}}');
  });

  it('rejects broken templates: unknown fields (in the Job too), wrong types, missing required fields, wrong kind', () => {
    const job = load('analysis-template.yaml');
    const typo = clone(job);
    typo.spec.metrics[0].provider.job.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(crd.check(typo)).toContainEqual('/spec/metrics/0/provider/job/spec/template/spec/containers/0: must NOT have additional properties (imagePullPolicyy)');

    const types = clone(job);
    types.spec.metrics[0].provider.job.spec.backoffLimit = 'none';
    types.spec.metrics[0].count = { times: 1 }; // int-or-string
    const problems = crd.check(types);
    expect(problems).toContainEqual('/spec/metrics/0/provider/job/spec/backoffLimit: must be integer');
    expect(problems.some((p) => p.startsWith('/spec/metrics/0/count:'))).toBe(true);

    const missing = clone(job);
    delete missing.spec.metrics[0].name;
    delete missing.spec.metrics[0].provider.job.spec.template.spec.containers;
    expect(crd.check(missing)).toEqual(expect.arrayContaining(["/spec/metrics/0: must have required property 'name'", "/spec/metrics/0/provider/job/spec/template/spec: must have required property 'containers'"]));

    const web = load('analysis-template-web.yaml');
    delete web.spec.metrics[0].provider.web.url;
    web.kind = 'AnalysisRun';
    web.metadata.name = 'Gameday_Verdict';
    expect(crd.check(web)).toEqual(expect.arrayContaining(['/kind: must be AnalysisTemplate', '/metadata/name: must be a DNS-1123 subdomain', "/spec/metrics/0/provider/web: must have required property 'url'"]));
  });
});
