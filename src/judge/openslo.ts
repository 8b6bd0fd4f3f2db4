// OpenSLO v1 import: SLO objects (with an inline SLI or a reference to an SLI in the same file)
// become gameday SLOs a drill can hold.
//   ratioMetric (good/total or bad/total)         → availability, objective = target
//   ratioMetric whose metric sources are type Prometheus with spec.query, and no
//     gameday.dev/request annotation (which asks for gameday's own requests) → kind: prometheus,
//     query (good)/(total) avg ≥ target, or (bad)/(total) avg ≤ 1 − target; the queries are used
//     as written (rates or ratios, as Sloth and Pyrra write them); the drill needs telemetry.prometheus
//   thresholdMetric, op lt|lte value, target 0.95 → latency, p(95) < value (ms)
// OpenSLO says nothing of where a drill's requests or phases are: the annotations
// gameday.dev/request, gameday.dev/phase and gameday.dev/severity on the SLO say it, and
// gameday.dev/unit ("ms", default, or "s") the unit of a threshold value.
import YAML from 'yaml';
import { describeIssues, formatPath } from '../schema/load.ts';
import { Slo } from '../schema/drill.ts';
import { OpenSloDocument, type OpenSloSli, type OpenSloSlo } from '../schema/openslo.ts';
import type { z } from 'zod';

export type SloInput = z.input<typeof Slo>;

export class OpenSloError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: cannot import the OpenSLO objects\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'OpenSloError';
  }
}

const ANNOTATION = 'gameday.dev/';

type SliSpec = OpenSloSli['spec'];

function annotation(slo: OpenSloSlo, key: string): string | undefined {
  return slo.metadata.annotations?.[`${ANNOTATION}${key}`];
}

type RatioMetricSpec = NonNullable<SliSpec['ratioMetric']>;

/** The PromQL ratio of a ratioMetric whose sources are all Prometheus queries; null otherwise. */
function prometheusRatio(r: RatioMetricSpec): { query: string; bad: boolean } | null {
  const q = (h: { metricSource: { type?: string; spec?: Record<string, unknown> } } | undefined) => {
    const src = h?.metricSource;
    return src && /^prometheus$/i.test(src.type ?? '') && typeof src.spec?.query === 'string' ? (src.spec.query as string).trim() : null;
  };
  const num = q(r.good ?? r.bad);
  const den = q(r.total);
  if (!num || !den) return null;
  const wrap = (x: string) => `(${x})`;
  return { query: `${wrap(num)} / ${wrap(den)}`, bad: r.bad !== undefined };
}

/** Reads every OpenSLO document of `yamlText` (multi-document YAML, or a list) and turns its SLOs into gameday SLOs. */
export function importOpenSlo(yamlText: string, file: string): SloInput[] {
  const problems: string[] = [];
  const docs = YAML.parseAllDocuments(yamlText, { prettyErrors: true });
  const raw: Array<{ where: string; value: unknown }> = [];
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (doc.errors.length) {
      for (const e of doc.errors) problems.push(`document ${i + 1}: ${e.linePos ? `line ${e.linePos[0].line}: ` : ''}${e.message.split('\n')[0]}`);
      continue;
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) value.forEach((v, j) => raw.push({ where: `document ${i + 1}, item ${j}`, value: v }));
    else raw.push({ where: `document ${i + 1}`, value });
  }
  if (problems.length) throw new OpenSloError(file, problems);

  const slos: Array<{ where: string; doc: OpenSloSlo }> = [];
  const slis = new Map<string, SliSpec>();
  for (const { where, value } of raw) {
    const parsed = OpenSloDocument.safeParse(value);
    const name = (value as { metadata?: { name?: unknown } })?.metadata?.name;
    const label = `${where}${typeof name === 'string' ? ` (${String((value as { kind?: unknown }).kind ?? 'object')} ${name})` : ''}`;
    if (!parsed.success) {
      for (const issue of describeIssues(parsed.error.issues)) problems.push(`${label}: ${issue}`);
      continue;
    }
    const doc = parsed.data;
    if (doc.kind === 'SLO') slos.push({ where: label, doc: doc as OpenSloSlo });
    else if (doc.kind === 'SLI') slis.set((doc as OpenSloSli).metadata.name, (doc as OpenSloSli).spec);
  }
  if (problems.length) throw new OpenSloError(file, problems);
  if (slos.length === 0) throw new OpenSloError(file, ['(top level): no object of kind SLO: add one (apiVersion: openslo/v1, kind: SLO)']);

  const out: SloInput[] = [];
  for (const { where, doc } of slos) {
    const at = (...path: Array<string | number>) => `${where}: ${formatPath(path)}`;
    const spec = doc.spec;
    let sli: SliSpec | undefined;
    if (spec.indicator) sli = spec.indicator.spec;
    else {
      sli = slis.get(spec.indicatorRef!);
      if (!sli) {
        problems.push(`${at('spec', 'indicatorRef')}: no SLI named "${spec.indicatorRef}" in this file${slis.size ? ` (${[...slis.keys()].join(', ')})` : ''}: add it, or put the SLI inline under spec.indicator`);
        continue;
      }
    }
    if (spec.budgetingMethod !== 'Occurrences') {
      problems.push(`${at('spec', 'budgetingMethod')}: gameday judges every request (Occurrences); ${spec.budgetingMethod} is not supported: use budgetingMethod: Occurrences`);
      continue;
    }
    const severity = annotation(doc, 'severity');
    const request = annotation(doc, 'request');
    const phase = annotation(doc, 'phase');
    const unit = annotation(doc, 'unit') ?? 'ms';
    if (unit !== 'ms' && unit !== 's') {
      problems.push(`${at('metadata', 'annotations', `${ANNOTATION}unit`)}: "${unit}" is not a unit gameday knows: write "ms" or "s"`);
      continue;
    }
    const scope = { ...(request ? { request } : {}), ...(phase ? { phase } : {}), ...(severity ? { severity } : {}) };
    spec.objectives.forEach((o, j) => {
      const target = o.target ?? o.targetPercent! / 100;
      const name = spec.objectives.length === 1 ? doc.metadata.name : `${doc.metadata.name}-${j + 1}`;
      let candidate: SloInput;
      const promql = sli!.ratioMetric && !request ? prometheusRatio(sli!.ratioMetric) : null;
      if (promql) {
        candidate = { name, kind: 'prometheus', query: promql.query, reduce: 'avg', ...(promql.bad ? { atMost: Math.round((1 - target) * 1e9) / 1e9 } : { atLeast: target }), ...scope } as SloInput;
      } else if (sli!.ratioMetric) {
        candidate = { name, kind: 'availability', objective: target, ...scope } as SloInput;
      } else {
        if (o.op === undefined || o.value === undefined) {
          problems.push(`${at('spec', 'objectives', j)}: a thresholdMetric objective needs op and value, e.g. op: lt, value: 250`);
          return;
        }
        if (o.op === 'gt' || o.op === 'gte') {
          problems.push(`${at('spec', 'objectives', j, 'op')}: "${o.op}" means higher is better; gameday imports thresholds as latency: use op: lt or lte`);
          return;
        }
        if (!(target > 0)) {
          problems.push(`${at('spec', 'objectives', j, o.target !== undefined ? 'target' : 'targetPercent')}: a latency objective needs a share above 0, e.g. target: 0.95 (p95)`);
          return;
        }
        candidate = { name, kind: 'latency', percentile: Math.round(target * 100 * 1e6) / 1e6, below: unit === 's' ? o.value * 1000 : o.value, ...scope } as SloInput;
      }
      const checked = Slo.safeParse(candidate);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          const key = issue.path[0];
          const source = key === 'request' || key === 'phase' || key === 'severity' ? at('metadata', 'annotations', `${ANNOTATION}${String(key)}`) : at('spec', 'objectives', j);
          problems.push(`${source}: ${issue.message}`);
        }
        return;
      }
      out.push(candidate);
    });
  }
  if (problems.length) throw new OpenSloError(file, problems);
  return out;
}
