import { describe, expect, it } from 'vitest';
import { actionsOf, DRIVERS, FAULT_ACTIONS, FAULTS, faultParams, faultRequest, supports } from '../../chaos/registry.ts';
import { FAULT_CATALOGUE } from '../../src/report/data.ts';
import { Drill } from '../../src/schema/drill.ts';

function drill(faults: unknown[], target: Record<string, unknown> = {}): unknown {
  return {
    name: 'registry-drill',
    app: 'TEST',
    target: { kind: 'containers', service: { name: 'hub', command: ['node', './server.mjs'], replicas: 2, zones: ['a', 'b'] }, ...target },
    load: { requests: [{ name: 'offers', path: '/offers' }], profiles: [{ profile: 'baseline', rate: 10, duration: '30s' }] },
    faults,
    slos: [{ name: 'errors', kind: 'error-rate', below: '1%' }],
  };
}

describe('the fault registry', () => {
  it('is the one vocabulary: every action has drivers that exist, a description and a params schema', () => {
    for (const action of FAULT_ACTIONS) {
      const spec = FAULTS[action];
      expect(spec.drivers.length).toBeGreaterThan(0);
      for (const d of spec.drivers) expect(DRIVERS).toContain(d);
      expect(spec.description.length).toBeGreaterThan(10);
      for (const key of spec.scaled) expect(Object.keys(spec.params.shape)).toContain(key);
    }
    expect(DRIVERS.every((d) => actionsOf(d).length > 0)).toBe(true);
  });

  it("lists the report's catalogue: only faults a drill can ask for (no api-throttle)", () => {
    expect([...FAULT_CATALOGUE].sort()).toEqual([...FAULT_ACTIONS].sort());
    expect(FAULT_CATALOGUE).not.toContain('api-throttle');
  });

  it('scales the durations inside the fault window with the timeline, and nothing else', () => {
    expect(faultParams({ action: 'pod-kill', replica: 1, restartAfter: 2000, name: 'k', at: 1000 } as never, 0.25)).toEqual({ replica: 1, restartAfter: 500 });
    expect(faultParams({ action: 'latency', latency: 300, jitter: 20, at: 5 } as never, 0.1)).toEqual({ latency: 300, jitter: 20 });
  });

  it('checks and defaults the params of a request made outside a drill', () => {
    expect(faultRequest('z', 'az-failure', ['r0'], { zone: 'a' }).params).toEqual({ zone: 'a', mode: 'stop' });
    expect(() => faultRequest('l', 'latency', ['p'], {} as never)).toThrow();
    expect(supports('process', 'pod-kill')).toBe(true);
    expect(supports('process', 'latency')).toBe(false);
    expect(supports('process', 'constructor')).toBe(false);
  });

  it('makes the containers driver cut a zone off the network (mode: disconnect), and refuses it elsewhere', () => {
    const ok = Drill.parse(drill([{ name: 'az', driver: 'containers', action: 'az-failure', target: 'hub', zone: 'a', mode: 'disconnect', at: '5s', duration: '5s' }]));
    expect(ok.faults[0]).toMatchObject({ action: 'az-failure', mode: 'disconnect' });
    const bad = Drill.safeParse(drill([{ name: 'az', driver: 'process', action: 'az-failure', target: 'hub', zone: 'a', mode: 'disconnect', at: '5s', duration: '5s' }], { kind: 'process' }));
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('only the containers driver can cut a zone off the network');
  });
});
