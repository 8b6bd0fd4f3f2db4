// The incident catalogue (examples/partner-hub/drills/catalogue) and its mutants file, checked
// without running them: every drill valid, sized for CI at time-scale 0.1, load bounded for a small
// machine, every mutant a known defect switch of the hub aimed at drills that exist.
import { launchedService } from '../../src/schema/drill.ts';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_DEFECTS } from '../../examples/partner-hub/lib/defects.mjs';
import { planDrill } from '../../src/plan/plan.ts';
import { drillFilesIn, loadDrills } from '../../src/suite/drills.ts';
import { applyMutant, loadMutants, mutantProblems, unknownTargets } from '../../src/suite/mutants.ts';
import { ROOT } from '../helpers.ts';

const CATALOGUE = path.join(ROOT, 'examples/partner-hub/drills/catalogue');
const MUTANTS = path.join(ROOT, 'examples/partner-hub/mutants.yaml');

describe('incident catalogue', async () => {
  const drills = await loadDrills(drillFilesIn(CATALOGUE));

  it('every drill is valid, with its own name', () => {
    expect(drills.map((d) => d.drill.name)).toEqual(['partner-429-storm', 'forged-webhooks', 'az-outage', 'restart-loop', 'credential-stuffing', 'broker-failover', 'edge-partition', 'disk-full', 'websocket-soak', 'idempotency-store-failover', 'event-log-failover']);
    expect(new Set(drills.map((d) => d.drill.name)).size).toBe(drills.length);
  });

  it('at time-scale 0.1 every drill schedules at most 40 s, and none runs at full length under 150 s', () => {
    for (const d of drills) {
      const scaled = planDrill(d.drill, 0.1).totalMs;
      expect(scaled, d.drill.name).toBeLessThanOrEqual(40_000);
      expect(planDrill(d.drill, 1).totalMs, d.drill.name).toBeGreaterThanOrEqual(150_000);
    }
  });

  it('the load stays bounded: at most 60 arrivals/s summed over the profiles at any moment, 60 VUs of sessions', () => {
    for (const d of drills) {
      const plan = planDrill(d.drill, 0.1);
      const arrivals = plan.profiles.filter((p) => p.kind !== 'vu-ramp');
      const sessions = plan.profiles.filter((p) => p.kind === 'vu-ramp');
      for (let t = 0; t < plan.totalMs; t += 100) {
        expect(arrivals.reduce((n, p) => n + p.targetAt(t), 0), `${d.drill.name} at ${t} ms`).toBeLessThanOrEqual(60);
        expect(sessions.reduce((n, p) => n + p.targetAt(t), 0), `${d.drill.name} at ${t} ms`).toBeLessThanOrEqual(60);
      }
    }
  });

  it('the mutants file is valid: known defect switches, switched on in DEFECTS, aimed at catalogue drills they do not make invalid', () => {
    const { mutants } = loadMutants(MUTANTS);
    expect(unknownTargets(mutants, drills.map((d) => d.drill.name))).toEqual([]);
    for (const m of mutants) {
      expect(KNOWN_DEFECTS).toContain(m.defect);
      expect(m.override.env?.DEFECTS?.split(','), m.name).toContain(m.defect);
      for (const d of drills.filter((x) => m.mustFail.includes(x.drill.name))) {
        expect(mutantProblems(d.drill, m), `${m.name} × ${d.drill.name}`).toEqual([]);
        expect(launchedService(applyMutant(d.drill, m).target)!.env.DEFECTS).toBe(m.override.env!.DEFECTS);
      }
    }
  });

  it("each drill's header says what it catches — exactly the mutants aimed at it — or that it is a guard", () => {
    const { mutants } = loadMutants(MUTANTS);
    for (const d of drills) {
      const aimed = mutants.filter((m) => m.mustFail.includes(d.drill.name)).map((m) => m.name).sort();
      const lines = d.source.toString('utf8').split('\n');
      const at = lines.findIndex((l) => l.startsWith('// Catches:'));
      if (aimed.length === 0) {
        expect(at, `${d.drill.name}: no mutant is aimed at it, so its header says it is a guard`).toBe(-1);
        expect(d.source.toString('utf8'), d.drill.name).toMatch(/A guard of the matrix/);
        continue;
      }
      expect(at, `${d.drill.name}: its header names what it catches (// Catches: ...)`).toBeGreaterThanOrEqual(0);
      const paragraph: string[] = [];
      for (let i = at; i < lines.length && lines[i].startsWith('//') && lines[i].trim() !== '//'; i++) paragraph.push(lines[i]);
      const named = mutants.map((m) => m.name).filter((n) => new RegExp(`(^|[^a-z-])${n}([^a-z-]|$)`).test(paragraph.join(' '))).sort();
      expect(named, d.drill.name).toEqual(aimed);
    }
  });
});
