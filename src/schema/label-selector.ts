// A Kubernetes label selector in its string form (`app=checkout,tier in (web,api),!canary`),
// parsed the way the API server parses it (k8s.io/apimachinery/pkg/labels): comma-separated
// requirements `key`, `!key`, `key=v`, `key==v`, `key!=v`, `key in (v,…)`, `key notin (v,…)`.
// A drill's selector that does not parse is refused when the drill is read, before anything is
// injected. Keys: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters;
// values: at most 63 characters, empty or alphanumeric at both ends with "-", "_", "." inside.
import { z } from 'zod';

export type LabelRequirement =
  | { key: string; op: 'exists' | 'not-exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function keyProblem(key: string): string | null {
  const slash = key.indexOf('/');
  const [prefix, name] = slash < 0 ? [null, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !PREFIX.test(prefix))) return `label key "${key}": the prefix before "/" must be a DNS subdomain, e.g. "app.kubernetes.io"`;
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) return `label key "${key}": the name must be 1-63 letters, digits, "-", "_" or "." and begin and end with a letter or digit`;
  return null;
}

function valueProblem(value: string): string | null {
  if (value === '') return null;
  if (value.length > 63 || !NAME.test(value)) return `label value "${value}" must be at most 63 letters, digits, "-", "_" or "." and begin and end with a letter or digit`;
  return null;
}

/** Splits on commas outside parentheses. */
function splitRequirements(s: string): string[] | string {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    if (depth < 0 || depth > 1) return 'unbalanced parentheses';
    if (s[i] === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return 'unbalanced parentheses';
  parts.push(s.slice(start));
  return parts.map((p) => p.trim());
}

/** The requirements of a selector, or why it does not parse. The empty selector selects everything. */
export function parseLabelSelector(selector: string): { ok: true; requirements: LabelRequirement[] } | { ok: false; error: string } {
  if (selector.trim() === '') return { ok: true, requirements: [] };
  const parts = splitRequirements(selector);
  if (typeof parts === 'string') return { ok: false, error: `label selector "${selector}": ${parts}` };
  const requirements: LabelRequirement[] = [];
  for (const part of parts) {
    let m: RegExpMatchArray | null;
    let req: LabelRequirement;
    if ((m = part.match(/^!\s*([^\s=!(),]+)$/))) req = { key: m[1]!, op: 'not-exists' };
    else if ((m = part.match(/^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => v.trim());
      req = { key: m[1]!, op: m[2] as 'in' | 'notin', values };
      for (const v of values) {
        const problem = valueProblem(v);
        if (problem) return { ok: false, error: `label selector "${selector}": ${problem}` };
      }
    } else if ((m = part.match(/^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/))) req = { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
    else if ((m = part.match(/^([^\s=!(),]+)$/))) req = { key: m[1]!, op: 'exists' };
    else return { ok: false, error: `label selector "${selector}": cannot read "${part}"; write key=value, key!=value, key in (a,b), key notin (a,b), key or !key, separated by commas` };
    const problem = keyProblem(req.key) ?? ('value' in req ? valueProblem(req.value) : null);
    if (problem) return { ok: false, error: `label selector "${selector}": ${problem}` };
    requirements.push(req);
  }
  return { ok: true, requirements };
}

/** A label selector string that parses; kept as written (the API server takes the string). */
export const LabelSelector = z.string().superRefine((s, ctx) => {
  const parsed = parseLabelSelector(s);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
});
