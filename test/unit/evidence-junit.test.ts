import fs from 'node:fs';
import path from 'node:path';
// fast-xml-parser comes with @aws-sdk (a dependency of gameday): a real XML parser for the test
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { readDecisions } from '../../src/evidence/run-files.ts';
import { buildJunit, verdictCaseName, writeJunit } from '../../src/evidence/junit.ts';
import { DecisionFile } from '../../src/schema/evidence.ts';
import { DEFAULT_VERDICTS, makeRunDir, tmpDir, verdict } from './evidence-fixture.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = tmpDir();
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const RUN = { startedAt: '2026-11-23T19:20:14.012Z', endedAt: '2026-11-23T19:21:19.480Z' };

interface Case {
  '@_classname': string;
  '@_name': string;
  failure?: { '@_message': string; '@_type': string };
}

function parse(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
  const suite = doc.testsuites.testsuite[0];
  return { doc, suite, cases: (suite.testcase ?? []) as Case[] };
}

function decisions(dir: string) {
  return DecisionFile.parse(JSON.parse(fs.readFileSync(path.join(dir, 'decisions.json'), 'utf8')));
}

describe('junit.xml', () => {
  it('has one testsuite per drill and one testcase per verdict, failures where verdicts failed', () => {
    const verdicts = [...DEFAULT_VERDICTS.slice(0, 2), verdict('offers-p95-fault', 'fault', false, 400, false), verdict('offers-p95-recovery', 'recovery', false, 0)];
    const d = decisions(makeRunDir(tmp(), { verdicts }));
    const { doc, suite, cases } = parse(buildJunit(d, RUN));
    expect(doc.testsuites['@_tests']).toBe('4');
    expect(doc.testsuites['@_failures']).toBe('2');
    expect(suite['@_name']).toBe('partner-hub-baseline');
    expect(suite['@_timestamp']).toBe('2026-11-23T19:20:14');
    expect(Number(suite['@_time'])).toBeCloseTo(65.468, 3);
    expect(suite.properties.property.map((p: Record<string, string>) => [p['@_name'], p['@_value']])).toEqual(
      expect.arrayContaining([
        ['decision', 'NO-GO'],
        ['runId', '20261123T192014Z-bb2f44'],
      ]),
    );
    expect(cases.map((c) => c['@_name'])).toEqual(verdicts.map((v) => verdictCaseName(v)));
    expect(cases.every((c) => c['@_classname'] === 'partner-hub-baseline')).toBe(true);
    expect(cases[0]['@_name']).toBe('offers-p95-steady [phase steady]');
    expect(cases.map((c) => c.failure?.['@_type'] ?? null)).toEqual([null, null, 'breached', 'no-evidence']);
    expect(cases[2].failure!['@_message']).toMatch(/^advisory SLO offers-p95-fault breached: p\(95\) = 412\.2 ms/);
    expect(cases[3].failure!['@_message']).toMatch(/^blocking SLO offers-p95-recovery no-evidence/);
  });

  it('says in the failure when a failed verdict was waived', () => {
    const waived = { ...verdict('offers-p95-fault', 'fault', false), waivedBy: { owner: 'sre-lead', reason: 'JIRA-42', expires: '2026-12-31T00:00:00.000Z' } };
    const d = decisions(makeRunDir(tmp(), { verdicts: [waived] }));
    const { cases } = parse(buildJunit(d, RUN));
    expect(cases[0].failure!['@_message']).toMatch(/\(waived by sre-lead until 2026-12-31T00:00:00\.000Z: JIRA-42\)$/);
  });

  it('has one failing testcase per problem of an invalid run', () => {
    const problems = [
      { code: 'k6-killed', message: 'k6 was killed by SIGKILL (exit null); see k6_stderr.log' },
      { code: 'fault-not-reverted', message: 'fault hub-latency could not be reverted: <connection refused> & "more"' },
    ];
    const d = decisions(makeRunDir(tmp(), { problems }));
    const { doc, cases } = parse(buildJunit(d, RUN));
    expect(doc.testsuites['@_tests']).toBe(String(DEFAULT_VERDICTS.length + 2));
    const failing = cases.filter((c) => c.failure);
    expect(failing.map((c) => [c['@_name'], c.failure!['@_type']])).toEqual([
      ['run problem: k6-killed', 'k6-killed'],
      ['run problem: fault-not-reverted', 'fault-not-reverted'],
    ]);
    expect(failing[1].failure!['@_message']).toContain('<connection refused> & "more"');
  });

  it('fails when nothing was judged, and writeJunit writes it into the run', () => {
    const dir = makeRunDir(tmp(), { verdicts: [] });
    const file = writeJunit(dir, readDecisions(dir), RUN);
    expect(file).toBe(path.join(dir, 'junit.xml'));
    const { cases } = parse(fs.readFileSync(file, 'utf8'));
    expect(cases).toHaveLength(1);
    expect(cases[0].failure!['@_type']).toBe('no-verdicts');
  });
});
