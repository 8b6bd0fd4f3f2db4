// What CreateExperimentTemplate (and StartExperiment's tags) accept: the constraints of the FIS
// API's input shapes, so that gameday refuses a template the service would refuse — before it is
// printed (`gameday fis --dry-run`) or sent (the FIS driver). Pure; no AWS.
//
// Source: the FIS service model, Smithy 2.0 (aws/aws-sdk-js-v3
// codegen/sdk-codegen/aws-models/fis.json, API version 2020-12-01; the same constraints are in the
// FIS API Reference). The @aws-sdk/client-fis package installed here (3.523) carries the shapes
// as TypeScript types only: neither it nor the SDK checks lengths or patterns on the client side,
// so a template outside them only fails at the service. Smithy counts a string's length in
// Unicode code points, not UTF-16 units.
//
//   ExperimentTemplateDescription     1..512, [\s\S]+ (required)
//   TagMap                            at most 50 tags; TagKey 1..128 ([\s\S]+), TagValue 0..256
//   ResourceArnList                   at most 5 ARNs; ResourceArn 20..2048, \S+
//   ExperimentTemplateTargetName,
//   ExperimentTemplateActionName      at most 64, \S+
//   TargetResourceTypeId, ActionId    at most 128, \S+
//   ExperimentTemplateTargetSelectionMode  at most 64, \S+ — the API reference's ALL | COUNT(n) |
//                                     PERCENT(n): n targets, or n percent of them, chosen at random
//   ExperimentTemplateTargetFilterPath 1..256, \S+; ExperimentTemplateTargetFilterValue 1..128, \S+
//   ExperimentTemplateTargetParameterName at most 64, \S+;
//   ExperimentTemplateTargetParameterValue 1..1024, ^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$
//   ExperimentTemplateActionParameterName at most 64, \S+;
//   ExperimentTemplateActionParameter 1..1024, \S+ (no whitespace anywhere)
//   RoleArn 20..2048, \S+; StopConditionValue 20..2048; StopConditionSource at most 64, \S+
//   S3BucketName 3..63, \S+; S3ObjectKey (prefix) 1..700; CloudWatchLogGroupArn 20..2048, \S+
//
// Where AWS's documents disagree: the user guide describes the aws:rds:cluster target parameter
// writerAvailabilityZoneIdentifiers (and aws:rds:db availabilityZoneIdentifiers) as "a comma
// separated list of Availability Zone identifiers", but the model's pattern for every target
// parameter value has no comma in it. gameday follows the model — it is what the service
// validates input against, and one zone per value is valid under both readings — so it writes
// one zone per parameter (an AZ power interruption is one zone) and refuses a comma in any
// target parameter value. A label selector of several labels ("app=a,tier=web") or a set-based
// one ("app in (x)") cannot be expressed either: select pods by one label or by deployment name.
import type { CreateExperimentTemplateCommandInput } from '@aws-sdk/client-fis';

export const FIS_LIMITS = {
  descriptionMax: 512,
  tagsMax: 50,
  tagKeyMax: 128,
  tagValueMax: 256,
  resourceArnsMax: 5,
  arnMin: 20,
  arnMax: 2048,
  nameMax: 64,
  resourceTypeMax: 128,
  selectionModeMax: 64,
  filterPathMax: 256,
  filterValueMax: 128,
  targetParameterValueMax: 1024,
  actionParameterMax: 1024,
  bucketNameMin: 3,
  bucketNameMax: 63,
  prefixMax: 700,
} as const;

/** Tags gameday adds to every template and experiment: gameday:run-id, gameday:fault and (through the driver) gameday:owner. */
export const GAMEDAY_TAG_COUNT = 3;
/** Tags a spec may bring, so that the template stays within 50 once gameday's are added. */
export const SPEC_TAGS_MAX = FIS_LIMITS.tagsMax - GAMEDAY_TAG_COUNT;

/** ExperimentTemplateTargetParameterValue's pattern. */
export const TARGET_PARAMETER_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u;
const NO_SPACE = /^\S+$/u;

/** Length as Smithy counts it: Unicode code points. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The first `max` code points of `s` (never half of a surrogate pair). */
export function truncateCodePoints(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n++ === max) break;
    out += ch;
  }
  return out;
}

/** A string that UTF-8 can carry: no lone surrogate (JSON on the wire would hold U+FFFD or be refused). */
export function wellFormed(s: string): boolean {
  return !/\p{Surrogate}/u.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, ''));
}

/** What is wrong with a target parameter value, or null. */
export function targetParameterValueProblem(value: string): string | null {
  if (!value) return 'FIS takes a target parameter value of 1 to 1024 characters: it is empty';
  if (codePoints(value) > FIS_LIMITS.targetParameterValueMax) return `FIS takes a target parameter value of at most ${FIS_LIMITS.targetParameterValueMax} characters (this one has ${codePoints(value)})`;
  if (!TARGET_PARAMETER_VALUE.test(value)) {
    const bad = [...new Set([...value].filter((c) => !TARGET_PARAMETER_VALUE.test(c)))].map((c) => JSON.stringify(c)).join(' ');
    return `FIS takes only letters, digits, spaces and _ . : / = + - @ in a target parameter value ([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+): ${JSON.stringify(value)} has ${bad}`;
  }
  return null;
}

/** What is wrong with a selection mode, or null: ALL, COUNT(n) with n ≥ 1, PERCENT(n) with n from 1 to 100. */
export function selectionModeProblem(mode: string): string | null {
  if (mode === 'ALL') return null;
  const m = /^(COUNT|PERCENT)\(([1-9]\d{0,8})\)$/.exec(mode);
  if (!m) return `write ALL, COUNT(n) with n of 1 or more, or PERCENT(n) with n from 1 to 100, not ${JSON.stringify(mode)}`;
  if (m[1] === 'PERCENT' && Number(m[2]) > 100) return `PERCENT(n) takes a percentage from 1 to 100, not ${m[2]}`;
  return null;
}

type Template = Omit<CreateExperimentTemplateCommandInput, 'clientToken'>;

/**
 * Every limit of CreateExperimentTemplate's input the template breaks, as "<spec field>: <what
 * and the limit> (<where in the template>)". `specField` names the spec field a template path
 * comes from (e.g. "targets.pods.parameters.selectorValue" → "pods.selectorValue").
 */
export function templateLimitProblems(t: Template, specField: (templatePath: string) => string): string[] {
  const out: string[] = [];
  const add = (at: string, what: string) => out.push(`${specField(at)}: ${what} (template ${at})`);
  const len = (at: string, s: string | undefined, min: number, max: number, what: string, pattern?: RegExp) => {
    if (s === undefined) return;
    const n = codePoints(s);
    if (n < min || n > max) add(at, `FIS takes ${what} of ${min === max ? max : `${min} to ${max}`} characters${n === 0 ? ': it is empty' : ` (this one has ${n})`}`);
    else if (pattern && !pattern.test(s)) add(at, `FIS takes ${what} without whitespace: ${JSON.stringify(s)}`);
    if (!wellFormed(s)) add(at, `${what} holds a lone UTF-16 surrogate, which UTF-8 cannot carry`);
  };

  if (t.description === undefined || t.description === '') add('description', 'FIS requires a description of 1 to 512 characters: it is empty');
  else len('description', t.description, 1, FIS_LIMITS.descriptionMax, 'a description');
  len('roleArn', t.roleArn, FIS_LIMITS.arnMin, FIS_LIMITS.arnMax, 'a role ARN', NO_SPACE);
  (t.stopConditions ?? []).forEach((c, i) => {
    len(`stopConditions[${i}].source`, c.source, 1, FIS_LIMITS.nameMax, 'a stop condition source', NO_SPACE);
    if (c.value !== undefined) len(`stopConditions[${i}].value`, c.value, FIS_LIMITS.arnMin, FIS_LIMITS.arnMax, 'a stop condition value');
  });
  const tags = (at: string, m: Record<string, string> | undefined) => {
    if (!m) return;
    const n = Object.keys(m).length;
    if (n > FIS_LIMITS.tagsMax) add(at, `FIS takes at most ${FIS_LIMITS.tagsMax} tags: this has ${n}`);
    for (const [k, v] of Object.entries(m)) {
      len(`${at}[${JSON.stringify(k)}]`, k, 1, FIS_LIMITS.tagKeyMax, 'a tag key');
      len(`${at}[${JSON.stringify(k)}]`, v, 0, FIS_LIMITS.tagValueMax, 'a tag value');
    }
  };
  tags('tags', t.tags);

  for (const [name, target] of Object.entries(t.targets ?? {})) {
    const at = `targets.${name}`;
    len(`${at}`, name, 1, FIS_LIMITS.nameMax, 'a target name', NO_SPACE);
    len(`${at}.resourceType`, target.resourceType, 1, FIS_LIMITS.resourceTypeMax, 'a resource type', NO_SPACE);
    if (target.resourceArns && target.resourceArns.length > FIS_LIMITS.resourceArnsMax) {
      add(`${at}.resourceArns`, `FIS takes at most ${FIS_LIMITS.resourceArnsMax} resourceArns in a target: this has ${target.resourceArns.length} (select by resourceTags, or split the fault)`);
    }
    target.resourceArns?.forEach((arn, i) => len(`${at}.resourceArns[${i}]`, arn, FIS_LIMITS.arnMin, FIS_LIMITS.arnMax, 'an ARN', NO_SPACE));
    tags(`${at}.resourceTags`, target.resourceTags);
    target.filters?.forEach((f, i) => {
      len(`${at}.filters[${i}].path`, f.path ?? '', 1, FIS_LIMITS.filterPathMax, 'a filter path', NO_SPACE);
      if (!f.values?.length) add(`${at}.filters[${i}].values`, 'FIS needs at least one value in a filter');
      f.values?.forEach((v, j) => len(`${at}.filters[${i}].values[${j}]`, v, 1, FIS_LIMITS.filterValueMax, 'a filter value', NO_SPACE));
    });
    const mode = target.selectionMode ?? '';
    const modeProblem = codePoints(mode) > FIS_LIMITS.selectionModeMax ? `FIS takes a selection mode of at most ${FIS_LIMITS.selectionModeMax} characters` : selectionModeProblem(mode);
    if (modeProblem) add(`${at}.selectionMode`, modeProblem);
    for (const [k, v] of Object.entries(target.parameters ?? {})) {
      len(`${at}.parameters.${k}`, k, 1, FIS_LIMITS.nameMax, 'a target parameter name', NO_SPACE);
      const problem = targetParameterValueProblem(v);
      if (problem) add(`${at}.parameters.${k}`, problem);
    }
  }
  for (const [name, action] of Object.entries(t.actions ?? {})) {
    const at = `actions.${name}`;
    len(at, name, 1, FIS_LIMITS.nameMax, 'an action name', NO_SPACE);
    len(`${at}.actionId`, action.actionId, 1, FIS_LIMITS.resourceTypeMax, 'an action id', NO_SPACE);
    for (const [k, v] of Object.entries(action.parameters ?? {})) {
      len(`${at}.parameters.${k}`, k, 1, FIS_LIMITS.nameMax, 'an action parameter name', NO_SPACE);
      len(`${at}.parameters.${k}`, v, 1, FIS_LIMITS.actionParameterMax, 'an action parameter', NO_SPACE);
    }
    for (const [k, v] of Object.entries(action.targets ?? {})) len(`${at}.targets.${k}`, v, 1, FIS_LIMITS.nameMax, 'an action target', NO_SPACE);
  }
  const log = t.logConfiguration;
  if (log?.s3Configuration) {
    len('logConfiguration.s3Configuration.bucketName', log.s3Configuration.bucketName, FIS_LIMITS.bucketNameMin, FIS_LIMITS.bucketNameMax, 'an S3 bucket name', NO_SPACE);
    len('logConfiguration.s3Configuration.prefix', log.s3Configuration.prefix, 1, FIS_LIMITS.prefixMax, 'an S3 prefix');
  }
  if (log?.cloudWatchLogsConfiguration) len('logConfiguration.cloudWatchLogsConfiguration.logGroupArn', log.cloudWatchLogsConfiguration.logGroupArn, FIS_LIMITS.arnMin, FIS_LIMITS.arnMax, 'a log group ARN', NO_SPACE);
  return out;
}
