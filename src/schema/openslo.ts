// OpenSLO v1 (https://github.com/OpenSLO/OpenSLO): the SLO and SLI objects gameday imports.
// Other kinds of the spec (Service, DataSource, AlertPolicy, ...) are accepted and ignored.
import { z } from 'zod';

/** DNS label, as OpenSLO names are (RFC 1123). */
const Name = z
  .string()
  .max(63, 'an OpenSLO name has at most 63 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'an OpenSLO name uses lowercase letters, digits and "-", e.g. "offers-availability"');

const Metadata = z.looseObject({
  name: Name,
  displayName: z.string().optional(),
  labels: z.record(z.string(), z.unknown()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const MetricSource = z.looseObject({
  metricSourceRef: z.string().optional(),
  type: z.string().optional(),
  spec: z.record(z.string(), z.unknown()).optional(),
});

const MetricHolder = z.looseObject({ metricSource: MetricSource });

const RatioMetric = z
  .looseObject({
    counter: z.boolean(),
    good: MetricHolder.optional(),
    bad: MetricHolder.optional(),
    total: MetricHolder,
  })
  .superRefine((r, ctx) => {
    if ((r.good === undefined) === (r.bad === undefined)) ctx.addIssue({ code: 'custom', message: 'a ratioMetric has either good or bad (over total), not both and not neither' });
  });

export const SliSpec = z
  .looseObject({
    description: z.string().max(1050).optional(),
    thresholdMetric: MetricHolder.optional(),
    ratioMetric: RatioMetric.optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.thresholdMetric === undefined) === (s.ratioMetric === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'an SLI has either thresholdMetric or ratioMetric, not both and not neither' });
    }
  });

const Objective = z
  .looseObject({
    displayName: z.string().optional(),
    op: z.enum(['lte', 'gte', 'lt', 'gt']).optional(),
    value: z.number().optional(),
    target: z.number().gte(0).lt(1, 'target is a share below 1, e.g. 0.999').optional(),
    targetPercent: z.number().gte(0).lt(100, 'targetPercent is below 100, e.g. 99.9').optional(),
    timeSliceTarget: z.number().gt(0).lte(1).optional(),
    timeSliceWindow: z.union([z.number(), z.string()]).optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.target === undefined) === (o.targetPercent === undefined)) ctx.addIssue({ code: 'custom', message: 'give target (0.999) or targetPercent (99.9), one of them' });
  });

const TimeWindow = z.looseObject({
  duration: z.string().regex(/^[1-9][0-9]*[mhdwMQY]$/, 'a duration shorthand: a positive integer and one of m h d w M Q Y, e.g. "28d"'),
  isRolling: z.boolean().optional(),
});

export const SloSpec = z
  .looseObject({
    description: z.string().max(1050).optional(),
    service: z.string().min(1),
    indicator: z.looseObject({ metadata: Metadata, spec: SliSpec }).optional(),
    indicatorRef: Name.optional(),
    timeWindow: z.array(TimeWindow).max(1).optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices']),
    objectives: z.array(Objective).min(1, 'an SLO has at least one objective'),
  })
  .superRefine((s, ctx) => {
    if ((s.indicator === undefined) === (s.indicatorRef === undefined)) ctx.addIssue({ code: 'custom', message: 'an SLO has either an inline indicator or an indicatorRef, not both and not neither' });
  });

const ApiVersion = z.literal('openslo/v1', { error: 'gameday reads OpenSLO v1: apiVersion: openslo/v1' });

export const OpenSloSlo = z.looseObject({ apiVersion: ApiVersion, kind: z.literal('SLO'), metadata: Metadata, spec: SloSpec });
export const OpenSloSli = z.looseObject({ apiVersion: ApiVersion, kind: z.literal('SLI'), metadata: Metadata, spec: SliSpec });
const OtherKind = z.looseObject({
  apiVersion: ApiVersion,
  kind: z.enum(['Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget']),
});

/** One document of an OpenSLO file. */
export const OpenSloDocument = z.discriminatedUnion('kind', [OpenSloSlo, OpenSloSli, OtherKind]);
export type OpenSloDocument = z.output<typeof OpenSloDocument>;
export type OpenSloSlo = z.output<typeof OpenSloSlo>;
export type OpenSloSli = z.output<typeof OpenSloSli>;
