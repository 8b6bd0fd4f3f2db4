import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printDecision } from '../../src/cli/print.ts';
import { decide } from '../../src/judge/decide.ts';
import { preflight } from '../../src/plan/preflight.ts';
import { Drill } from '../../src/schema/drill.ts';
import { DrillError, type LoadedDrill } from '../../src/schema/load.ts';

function loaded(command: string[]): LoadedDrill {
  const drill = Drill.parse({
    name: 'preflight',
    app: 'TEST',
    target: { kind: 'process', service: { name: 'svc', command } },
    load: { requests: [{ name: 'r', path: '/' }], profiles: [{ profile: 'baseline', rate: 1, duration: '1s' }] },
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  });
  return { drill, file: '/tmp/preflight.yaml', dir: '/tmp' } as LoadedDrill;
}

describe('checks before anything starts', () => {
  it('placeholders in the service command are checked like those in its environment', () => {
    expect(() => preflight(loaded(['node', '--port', '{{port}}', '--zone={{zone}}']), { PATH: path.dirname(process.execPath) })).not.toThrow();
    const err = (() => {
      try {
        preflight(loaded(['node', '--listen', '{{prot}}']), { PATH: path.dirname(process.execPath) });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DrillError);
    expect(String((err as DrillError).problems)).toContain('target.service.command[2]: unknown placeholder {{prot}}');
  });

  it('an invalid run says why before the verdicts it left without evidence', () => {
    const d = decide(
      [{ slo: 'p95', kind: 'latency', phase: 'all', objective: 'p95 < 100 ms', observed: null, unit: 'ms', pass: false, reason: 'no-evidence', detail: 'no samples', blocking: true, evidence: [] } as never],
      [{ code: 'harness-error', message: 'listen EADDRINUSE 127.0.0.1:8080' }],
      { now: new Date() },
    );
    const lines = printDecision('preflight', d).split('\n');
    expect(lines[1]).toContain('invalid run (harness-error): listen EADDRINUSE');
    expect(lines[2]).toContain('FAIL blocking p95');
  });
});
