// What the installed package reads from its own folder at run time must be in package.json "files":
// the Kafka store compiles its client program and resolves its jars from shipped sources (that was
// missing, so a Kafka drill from the npm package could not start), init copies the catalogue, and
// k6 bundles the scenario library from source. The integration test (package.test.ts) installs the
// tarball; this keeps the list honest without packing.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.ts';

const files: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).files;
/** as npm reads "files": a folder entry ships everything under it; `*` matches within one folder */
const shipped = (file: string) =>
  files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : new RegExp(`^${entry.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(file)));

describe('package.json files', () => {
  it.each([
    'chaos/store/java/GamedayKafka.java',
    'scripts/kafka/pom.xml',
    'examples/partner-hub/drills/catalogue/01-partner-429-storm.ts',
    'examples/partner-hub/server.mjs',
    'scenarios/drill.ts',
    'scenarios/lib/flows.ts',
    'bin/gameday.mjs',
  ])('ships %s', (file) => {
    expect(fs.existsSync(path.join(ROOT, file)), `${file} exists in the repository`).toBe(true);
    expect(shipped(file)).toBe(true);
  });

  it('ships no tests, fixtures or tool caches', () => {
    for (const file of ['test/unit/package-contents.test.ts', 'test/fixtures/crds/k6.io_testruns.yaml', '.tools/bin/k6', 'scripts/build-kube.sh']) expect(shipped(file), file).toBe(false);
  });
});
