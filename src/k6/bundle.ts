// esbuild turns a TypeScript scenario (and the npm code it imports) into one k6 script;
// k6's own modules stay external.
import { build } from 'esbuild';
import { packageFile } from '../platform/package-files.mjs';

/** The drill scenario's source: the package ships the k6 scenario library as TypeScript, as the repository has it. */
export const DRILL_SCENARIO = packageFile('scenarios/drill.ts');

/** Bundles `entry` into one k6 script; `define` replaces identifiers with JSON values (e.g. an embedded plan). */
export async function bundleScenario(entry: string, outfile: string, define: Record<string, unknown> = {}): Promise<void> {
  await build({
    define: Object.fromEntries(Object.entries(define).map(([k, v]) => [k, JSON.stringify(v)])),
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    external: ['k6', 'k6/*'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
    legalComments: 'none',
    banner: { js: '// bundled by gameday (esbuild) for k6' },
  });
}
