import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mapCompliance, type ComplianceEvidence } from '../../src/evidence/compliance.ts';
import { complianceEvidenceFromRun, writeCompliance, type DrillFacts } from '../../src/evidence/compliance-input.ts';
import { ComplianceReport } from '../../src/schema/evidence.ts';
import { DEFAULT_VERDICTS, filesOf, makeRunDir, tmpDir, verdict, type FixtureOptions } from './evidence-fixture.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const DRILL: DrillFacts = { target: { service: { name: 'partner-hub', replicas: 2, zones: ['a', 'b'] } }, load: { profiles: [{ profile: 'baseline', rate: 40, duration: 60_000 }] } };
const STRESS: DrillFacts = { ...DRILL, load: { profiles: [{ profile: 'stress', duration: 600_000 }] } };

function evidence(opts: FixtureOptions = {}, drill: DrillFacts = DRILL): ComplianceEvidence {
  return complianceEvidenceFromRun(makeRunDir(tmp(), opts), drill);
}

const ids = (r: ComplianceReport) => r.claims.map((c) => c.id);
const controls = (r: ComplianceReport) => r.claims.flatMap((c) => c.controls.map((k) => `${k.framework} ${k.control} ${k.grade}`));

function everyScenario(): ComplianceReport[] {
  const scenarios: Array<[FixtureOptions, DrillFacts?]> = [
    [{}],
    [{ faultProxies: ['gd-x-partner-hub-0'] }],
    [{ faultOutcome: 'revert-failed', problems: [{ code: 'fault-not-reverted', message: 'x' }] }],
    [{ verdicts: [verdict('a', 'steady', false), verdict('b', 'fault', false), verdict('c', 'recovery', false)] }],
    [{ faultProxies: ['gd-x-partner-hub-0'] }, STRESS],
  ];
  return scenarios.map(([o, d]) => mapCompliance(evidence(o, d)));
}

describe('compliance mapping', () => {
  it('maps the demo run (latency on every replica, reverted; partner 429 storm; SLOs met) to what it showed', () => {
    const ev = evidence();
    expect(ev.partners).toEqual([{ name: 'acme', requests: 300, throttled: 100, serverErrors: 0, broken: 0, degradedPhases: ['fault'] }]);
    const r = mapCompliance(ev);
    expect(ids(r)).toEqual(['recovery-tested', 'incident-response-tested', 'capacity-under-load', 'partner-outage-fallback']);
    expect(controls(r)).toEqual(
      expect.arrayContaining([
        'SOC 2 A1.2 direct',
        'SOC 2 A1.3 direct',
        'ISO/IEC 27001:2022 A.5.30 direct',
        'ISO/IEC 27001:2022 A.5.29 supporting',
        'PCI DSS 4.0 12.10.2 supporting',
        'HIPAA Security Rule 164.308(a)(7)(ii)(D) supporting',
        'NIST SP 800-53 Rev. 5 CP-4 supporting',
        'DORA Art. 25 direct',
        'SOC 2 CC9.1 direct',
        // a fixed-rate baseline supports capacity management; it does not find the limit
        'ISO/IEC 27001:2022 A.8.6 supporting',
      ]),
    );
    // both replicas were faulted: nothing shows the others carried the load
    expect(controls(r).some((c) => c.includes('A.8.14'))).toBe(false);
    expect(r.notClaimed).toEqual([{ id: 'redundancy-exercised', reason: expect.stringMatching(/every fault covered all of them/) }]);
    expect(r.claims.every((c) => c.outcome === 'held')).toBe(true);
    expect(r.claims[0].basis[0]).toMatch(/fault hub-latency \(latency on partner-hub, 2 of 2 replica\(s\)\) injected at .* and reverted at .*, both verified/);
  });

  it('lists, for every claim, artifacts that are in the run directory', () => {
    const dir = makeRunDir(tmp(), { faultProxies: ['gd-x-partner-hub-0'] });
    const report = writeCompliance(dir, DRILL);
    expect(ComplianceReport.parse(JSON.parse(fs.readFileSync(path.join(dir, 'compliance.json'), 'utf8')))).toEqual(report);
    const present = filesOf(dir);
    expect(report.claims.length).toBe(5);
    for (const c of report.claims) {
      expect(c.artifacts.length).toBeGreaterThan(0);
      for (const a of c.artifacts) expect(present, `${c.id}: ${a}`).toContain(a);
    }
    // without the journal, the partner claim has nothing to stand on
    const ev = complianceEvidenceFromRun(dir, DRILL);
    const r = mapCompliance({ ...ev, artifacts: ev.artifacts.filter((a) => a !== 'simulator_journal.ndjson') });
    expect(ids(r)).not.toContain('partner-outage-fallback');
  });

  it('never maps to PCI DSS 11.x or DORA Art. 26, and the schema refuses them', () => {
    for (const r of everyScenario()) {
      for (const c of r.claims.flatMap((x) => x.controls)) {
        expect(c.framework === 'PCI DSS 4.0' && c.control.startsWith('11')).toBe(false);
        expect(c.framework === 'DORA' && c.control.startsWith('Art. 26')).toBe(false);
      }
      expect(r.neverClaimed.map((n) => `${n.framework} ${n.control}`)).toEqual(['PCI DSS 4.0 11.x', 'DORA Art. 26']);
    }
    const r = mapCompliance(evidence());
    const forged = structuredClone(r);
    forged.claims[0].controls.push({ framework: 'PCI DSS 4.0', control: '11.4.1', title: 'Penetration testing', grade: 'supporting' });
    expect(() => ComplianceReport.parse(forged)).toThrow(/PCI DSS 11\.x is security/);
  });

  it('does not claim recovery when no fault was reverted (or the revert was not verified)', () => {
    const base = evidence();
    for (const fault of [
      { ...base.faults[0], outcome: 'injected' as const, revertedAt: null, revertVerified: false },
      { ...base.faults[0], revertVerified: false },
      { ...base.faults[0], outcome: 'inject-failed' as const, injectVerified: false, revertedAt: null, revertVerified: false },
    ]) {
      const r = mapCompliance({ ...base, faults: [fault] });
      expect(ids(r)).not.toContain('recovery-tested');
      expect(ids(r)).not.toContain('incident-response-tested');
      expect(controls(r).some((c) => /A1\.3|A\.5\.30|CP-4|12\.10/.test(c))).toBe(false);
      expect(r.notClaimed.find((n) => n.id === 'recovery-tested')!.reason).toMatch(/no fault was both injected and reverted/);
    }
    // and an invalid run claims nothing at all
    const invalid = mapCompliance(evidence({ faultOutcome: 'revert-failed', problems: [{ code: 'fault-not-reverted', message: 'fault hub-latency could not be reverted' }] }));
    expect(invalid.claims).toEqual([]);
    expect(invalid.notClaimed.every((n) => /invalid \(fault-not-reverted\)/.test(n.reason))).toBe(true);
  });

  it('does not claim recovery when the recovery phase had no samples', () => {
    const verdicts = [...DEFAULT_VERDICTS.slice(0, 3), verdict('offers-p95-recovery', 'recovery', false, 0)];
    const r = mapCompliance(evidence({ verdicts }));
    expect(ids(r)).not.toContain('recovery-tested');
    expect(r.notClaimed.find((n) => n.id === 'recovery-tested')!.reason).toMatch(/no SLO was judged over samples in the recovery phase/);
  });

  it('counts a recovery-time SLO as recovery evidence, and keeps it out of capacity', () => {
    const recoveryTime = { ...verdict('hub-recovers', 'all', true, 120), kind: 'recovery-time', unit: 'ms', objective: 'recovered within 10 s' };
    const r = mapCompliance(evidence({ verdicts: [...DEFAULT_VERDICTS.slice(0, 3), recoveryTime] }));
    expect(ids(r)).toContain('recovery-tested');
    expect(r.claims.find((c) => c.id === 'recovery-tested')!.basis).toContain('1 recovery SLO(s) judged over 120 samples: all met');
    const failed = mapCompliance(evidence({ verdicts: [...DEFAULT_VERDICTS, { ...recoveryTime, pass: false, reason: 'never-recovered' }] }));
    expect(failed.claims.find((c) => c.id === 'recovery-tested')!.outcome).toBe('not-held');
    expect(failed.claims.find((c) => c.id === 'capacity-under-load')!.outcome).toBe('held');
  });

  it('counts broken connections of a partner (not webhook deliveries to the SUT) as a partner outage', () => {
    const dir = makeRunDir(tmp());
    const journal = path.join(dir, 'simulator_journal.ndjson');
    const lines = fs.readFileSync(journal, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    const edited = lines.map((e) => (e.status === 429 ? { ...e, status: null, outcome: 'reset' } : e));
    edited.push({ ...lines[0], source: 'webhook-sender', partner: 'acme', status: 500 });
    fs.writeFileSync(journal, `${edited.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const ev = complianceEvidenceFromRun(dir, DRILL);
    expect(ev.partners).toEqual([{ name: 'acme', requests: 300, throttled: 0, serverErrors: 0, broken: 100, degradedPhases: ['fault'] }]);
    expect(ids(mapCompliance(ev))).toContain('partner-outage-fallback');
  });

  it('records a recovery that was tested and failed as not held; claims no fallback or redundancy when the SLOs broke', () => {
    const verdicts = [verdict('steady', 'steady', true), verdict('fault', 'fault', false), verdict('recovery', 'recovery', false)];
    const r = mapCompliance(evidence({ verdicts, faultProxies: ['gd-x-partner-hub-0'] }));
    expect(r.claims.find((c) => c.id === 'recovery-tested')).toMatchObject({ outcome: 'not-held', statement: expect.stringMatching(/did not hold/) });
    expect(ids(r)).not.toContain('partner-outage-fallback');
    expect(ids(r)).not.toContain('redundancy-exercised');
    expect(r.notClaimed.find((n) => n.id === 'redundancy-exercised')!.reason).toMatch(/fault-phase SLOs did not hold \(fault\)/);
  });

  it('claims redundancy when a fault hit part of the replicas and the rest kept the SLOs', () => {
    const r = mapCompliance(evidence({ faultProxies: ['gd-x-partner-hub-0'] }, STRESS));
    const claim = r.claims.find((c) => c.id === 'redundancy-exercised')!;
    expect(claim.controls).toEqual([{ framework: 'ISO/IEC 27001:2022', control: 'A.8.14', title: 'Redundancy of information processing facilities', grade: 'direct' }]);
    expect(claim.statement).toMatch(/1 of 2 replicas of partner-hub faulted \(zones a, b\)/);
    expect(controls(r)).toContain('ISO/IEC 27001:2022 A.8.6 direct');
    const single = mapCompliance(evidence({ faultProxies: ['p0'] }, { ...DRILL, target: { service: { name: 'partner-hub', replicas: 1, zones: ['a'] } } }));
    expect(ids(single)).not.toContain('redundancy-exercised');
  });
});
