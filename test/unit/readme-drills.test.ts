// The README's complete drills (every ```yaml block with a name, a target and a load) are valid
// drills as written: a user copies them first, so they must not rot when the schema moves.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { Drill } from '../../src/schema/drill.ts';
import { ROOT } from '../helpers.ts';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => ({ line: readme.slice(0, m.index).split('\n').length, text: m[1] }));
const drills = blocks.flatMap((b) => {
  const doc = YAML.parse(b.text) as Record<string, unknown> | null;
  return doc && typeof doc === 'object' && 'name' in doc && 'target' in doc && 'load' in doc ? [{ ...b, doc }] : [];
});

describe('the README drills', () => {
  it('has one complete drill per target kind a user drills their own system with', () => {
    const kinds = drills.map((d) => (d.doc.target as { kind?: string }).kind);
    for (const kind of ['external', 'docker', 'kubernetes']) expect(kinds, `a complete ${kind} drill in the README`).toContain(kind);
  });

  it.each(drills.map((d) => [`README.md line ${d.line} (${String(d.doc.name)})`, d.doc] as const))('%s is a valid drill', (_, doc) => {
    const r = Drill.safeParse(doc);
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([]);
  });
});
