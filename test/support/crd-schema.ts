// A CustomResourceDefinition's openAPIV3Schema as a JSON-schema validator (ajv), checked the way an
// API server with strict field validation (kubectl's default) checks an object: an unknown field is
// an error unless the schema preserves unknown fields, x-kubernetes-int-or-string means an integer
// or a string, and the object's apiVersion and kind must be the CRD's.
import fs from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';

type Schema = Record<string, any>;

/**
 * The schema with `additionalProperties: false` on every object that lists its properties, does
 * not preserve unknown fields and says nothing of additional properties itself. Pure.
 */
export function strictSchema(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(strictSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strictSchema(s)])) : typeof v === 'object' ? strictSchema(v) : v;
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

export interface CrdValidator {
  group: string;
  kind: string;
  version: string;
  /** the problems of one object ("/spec/metrics/0: must have required property 'name'"), none when valid */
  check(object: unknown): string[];
}

export function crdValidator(crdFile: string): CrdValidator {
  const crd = YAML.parse(fs.readFileSync(crdFile, 'utf8'));
  const version = crd.spec.versions.find((v: { storage?: boolean }) => v.storage) ?? crd.spec.versions[0];
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    validate: (on: boolean, data: unknown) => !on || Number.isInteger(data) || typeof data === 'string',
    errors: false,
  });
  const validate = ajv.compile(strictSchema(version.schema.openAPIV3Schema));
  const apiVersion = `${crd.spec.group}/${version.name}`;
  const describe = (e: ErrorObject) => `${e.instancePath || '/'}: ${e.message}${e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : ''}`;
  return {
    group: crd.spec.group,
    kind: crd.spec.names.kind,
    version: version.name,
    check(object) {
      const problems: string[] = [];
      const o = object as { apiVersion?: string; kind?: string; metadata?: { name?: string } };
      if (o?.apiVersion !== apiVersion) problems.push(`/apiVersion: must be ${apiVersion}`);
      if (o?.kind !== crd.spec.names.kind) problems.push(`/kind: must be ${crd.spec.names.kind}`);
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(o?.metadata?.name ?? '') || (o?.metadata?.name ?? '').length > 253) problems.push('/metadata/name: must be a DNS-1123 subdomain');
      if (!validate(object)) problems.push(...(validate.errors ?? []).map(describe));
      return problems;
    },
  };
}
