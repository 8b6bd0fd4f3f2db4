import { describe, expect, it } from 'vitest';
import { importOpenSlo, OpenSloError } from '../../src/judge/openslo.ts';
import { drillWith } from './slo-fixtures.ts';

/** A realistic pair: an SLO referring to an SLI of the same file, Prometheus queries, rolling 28 days. */
const AVAILABILITY = `
apiVersion: openslo/v1
kind: SLI
metadata:
  name: offers-success-ratio
  displayName: Offers requests that did not fail
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{route="/offers",code!~"5.."}[5m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{route="/offers"}[5m]))
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: offers-availability
  displayName: Offers availability
  annotations:
    gameday.dev/request: offers
    gameday.dev/phase: fault
spec:
  description: 99.5% of offers requests succeed, even through a partner outage
  service: partner-hub
  indicatorRef: offers-success-ratio
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Good
      target: 0.995
`;

const LATENCY = `
- apiVersion: openslo/v1
  kind: Service
  metadata: { name: partner-hub }
  spec: { description: the partner hub }
- apiVersion: openslo/v1
  kind: SLO
  metadata:
    name: webhook-latency
    annotations: { gameday.dev/unit: s, gameday.dev/severity: advisory }
  spec:
    service: partner-hub
    indicator:
      metadata: { name: webhook-latency-sli }
      spec:
        thresholdMetric:
          metricSource:
            type: Prometheus
            spec: { query: 'histogram_quantile(0.95, sum by (le) (rate(webhook_seconds_bucket[5m])))' }
    timeWindow: [{ duration: 1w, isRolling: true }]
    budgetingMethod: Occurrences
    objectives:
      - { displayName: p95, op: lt, value: 1.5, targetPercent: 95 }
      - { displayName: p99, op: lte, value: 3, target: 0.99 }
`;

function problemsOf(text: string): string[] {
  try {
    importOpenSlo(text, 'slos/openslo.yaml');
  } catch (err) {
    if (err instanceof OpenSloError) {
      expect(err.message).toMatch(/^slos\/openslo\.yaml: cannot import the OpenSLO objects\n/);
      return err.problems;
    }
    throw err;
  }
  return [];
}

describe('OpenSLO import', () => {
  it('an SLO referring to a ratio SLI becomes an availability SLO, scoped by annotations', () => {
    expect(importOpenSlo(AVAILABILITY, 'openslo.yaml')).toEqual([{ name: 'offers-availability', kind: 'availability', objective: 0.995, request: 'offers', phase: 'fault' }]);
  });

  it('an inline threshold SLI becomes latency SLOs, one per objective, values in the annotated unit', () => {
    expect(importOpenSlo(LATENCY, 'openslo.yaml')).toEqual([
      { name: 'webhook-latency-1', kind: 'latency', percentile: 95, below: 1500, severity: 'advisory' },
      { name: 'webhook-latency-2', kind: 'latency', percentile: 99, below: 3000, severity: 'advisory' },
    ]);
  });

  it('a bad/total ratio is availability too', () => {
    const text = AVAILABILITY.replace('good:', 'bad:').replace('code!~"5.."', 'code=~"5.."');
    expect(importOpenSlo(text, 'openslo.yaml')[0]).toMatchObject({ kind: 'availability', objective: 0.995 });
  });

  it('a Prometheus ratio without a gameday.dev/request annotation becomes a kind: prometheus SLO on the server-side ratio', () => {
    const text = AVAILABILITY.replace('    gameday.dev/request: offers\n', '');
    expect(importOpenSlo(text, 'openslo.yaml')).toEqual([
      { name: 'offers-availability', kind: 'prometheus', query: '(sum(rate(http_requests_total{route="/offers",code!~"5.."}[5m]))) / (sum(rate(http_requests_total{route="/offers"}[5m])))', reduce: 'avg', atLeast: 0.995, phase: 'fault' },
    ]);
    const bad = importOpenSlo(text.replace('good:', 'bad:').replace('code!~"5.."', 'code=~"5.."'), 'openslo.yaml')[0];
    expect(bad).toMatchObject({ kind: 'prometheus', atMost: 0.005, reduce: 'avg' });
  });

  it('what it imports is a valid gameday SLO a drill accepts', () => {
    const slos = [...importOpenSlo(AVAILABILITY, 'a.yaml'), ...importOpenSlo(LATENCY, 'b.yaml')];
    const drill = drillWith(slos);
    expect(drill.slos.map((s) => [s.name, s.kind, s.severity])).toEqual([
      ['offers-availability', 'availability', 'blocking'],
      ['webhook-latency-1', 'latency', 'advisory'],
      ['webhook-latency-2', 'latency', 'advisory'],
    ]);
  });

  it('a bad one: every problem named with its document, object, path and fix', () => {
    const bad = `
apiVersion: openslo/v1
kind: SLO
metadata: { name: Offers_Latency }
spec:
  service: partner-hub
  indicatorRef: missing-sli
  budgetingMethod: Occurrences
  objectives: [{ op: lt, value: 250, target: 1.5 }]
---
apiVersion: openslo/v1alpha
kind: SLO
metadata: { name: old-one }
spec: { service: x, budgetingMethod: Occurrences, objectives: [{ target: 0.9 }], indicatorRef: y }
---
apiVersion: openslo/v1
kind: SLI
metadata: { name: both }
spec:
  thresholdMetric: { metricSource: { type: Prometheus } }
  ratioMetric: { counter: true, total: { metricSource: { type: Prometheus } } }
`;
    expect(problemsOf(bad)).toEqual([
      'document 1 (SLO Offers_Latency): metadata.name: an OpenSLO name uses lowercase letters, digits and "-", e.g. "offers-availability"',
      'document 1 (SLO Offers_Latency): spec.objectives[0].target: target is a share below 1, e.g. 0.999',
      'document 2 (SLO old-one): apiVersion: gameday reads OpenSLO v1: apiVersion: openslo/v1',
      expect.stringMatching(/^document 3 \(SLI both\): spec.ratioMetric: a ratioMetric has either good or bad/),
      'document 3 (SLI both): spec: an SLI has either thresholdMetric or ratioMetric, not both and not neither',
    ]);
  });

  it('references, budgeting methods and operators it cannot import are refused, with the fix', () => {
    expect(problemsOf(AVAILABILITY.split('---')[1])).toEqual(['document 1 (SLO offers-availability): spec.indicatorRef: no SLI named "offers-success-ratio" in this file: add it, or put the SLI inline under spec.indicator']);
    expect(problemsOf(AVAILABILITY.replace('budgetingMethod: Occurrences', 'budgetingMethod: Timeslices'))).toEqual([
      'document 2 (SLO offers-availability): spec.budgetingMethod: gameday judges every request (Occurrences); Timeslices is not supported: use budgetingMethod: Occurrences',
    ]);
    expect(problemsOf(LATENCY.replace('op: lt,', 'op: gt,'))).toEqual(['document 1, item 1 (SLO webhook-latency): spec.objectives[0].op: "gt" means higher is better; gameday imports thresholds as latency: use op: lt or lte']);
    expect(problemsOf(AVAILABILITY.replace('gameday.dev/phase: fault', 'gameday.dev/phase: warmup'))).toEqual([expect.stringMatching(/^document 2 \(SLO offers-availability\): metadata\.annotations\.gameday\.dev\/phase: /)]);
    expect(problemsOf('apiVersion: openslo/v1\nkind: Service\nmetadata: { name: x }\n')).toEqual(['(top level): no object of kind SLO: add one (apiVersion: openslo/v1, kind: SLO)']);
    expect(problemsOf('kind: SLO\n  bad: [indent')[0]).toMatch(/^document 1: line \d+: /);
  });
});
