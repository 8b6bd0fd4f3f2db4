import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderTemplate, type TemplateVars } from '../../src/targets/environment.ts';
import { formatProgress, ProgressLine, type ProgressState } from '../../src/run/progress.ts';

describe('formatProgress', () => {
  const state = (over: Partial<ProgressState> = {}): ProgressState => ({
    phase: 'fault',
    elapsedMs: 65_432,
    totalMs: 120_000,
    rps: 39.6,
    requests: 2600,
    errors: 13,
    ...over,
  });

  it('shows phase, mm:ss/mm:ss, req/s, requests and errors with their percentage', () => {
    expect(formatProgress(state())).toBe('fault    01:05/02:00    40 req/s  2600 requests  errors 13 (0.5%)');
  });

  it('pads the phase so that the columns stay aligned', () => {
    const a = formatProgress(state({ phase: 'steady' }));
    const b = formatProgress(state({ phase: 'recovery' }));
    expect(a.startsWith('steady   01:05')).toBe(true);
    expect(b.startsWith('recovery 01:05')).toBe(true);
    expect(a.indexOf('req/s')).toBe(b.indexOf('req/s'));
  });

  it('renders the clock in whole seconds, rounding down, and never negative', () => {
    expect(formatProgress(state({ elapsedMs: 0, totalMs: 6_000 }))).toContain(' 00:00/00:06 ');
    expect(formatProgress(state({ elapsedMs: 59_999, totalMs: 60_000 }))).toContain(' 00:59/01:00 ');
    expect(formatProgress(state({ elapsedMs: -1_500 }))).toContain(' 00:00/02:00 ');
    expect(formatProgress(state({ elapsedMs: 3_725_000, totalMs: 3_600_000 }))).toContain(' 62:05/60:00 ');
  });

  it('rounds req/s to a whole number, right-aligned in four columns', () => {
    expect(formatProgress(state({ rps: 0 }))).toContain('02:00     0 req/s');
    expect(formatProgress(state({ rps: 1234.4 }))).toContain('02:00  1234 req/s');
    expect(formatProgress(state({ rps: 7.5 }))).toContain('02:00     8 req/s');
  });

  it('gives 0.0% without requests and one decimal otherwise', () => {
    expect(formatProgress(state({ requests: 0, errors: 0 }))).toMatch(/ 0 requests {2}errors 0 \(0\.0%\)$/);
    expect(formatProgress(state({ requests: 3, errors: 1 }))).toMatch(/errors 1 \(33\.3%\)$/);
    expect(formatProgress(state({ requests: 40, errors: 40 }))).toMatch(/errors 40 \(100\.0%\)$/);
  });
});

describe('ProgressLine', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function sink(isTTY: boolean) {
    const writes: string[] = [];
    const out = { isTTY, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
    return { out, writes };
  }
  const p: ProgressState = { phase: 'steady', elapsedMs: 1000, totalMs: 60_000, rps: 40, requests: 40, errors: 0 };

  it('rewrites one line on a terminal and ends it with a newline', () => {
    const { out, writes } = sink(true);
    const line = new ProgressLine(out, 10_000);
    line.update(p);
    line.update({ ...p, elapsedMs: 2000 });
    line.end();
    expect(writes).toEqual([`\r\x1b[2K${formatProgress(p)}`, `\r\x1b[2K${formatProgress({ ...p, elapsedMs: 2000 })}`, '\n']);
  });

  it('prints a full line at most every everyMs elsewhere', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-11-23T19:14:00Z'));
    const { out, writes } = sink(false);
    const line = new ProgressLine(out, 10_000);
    line.update(p);
    vi.advanceTimersByTime(9_999);
    line.update({ ...p, elapsedMs: 2000 });
    vi.advanceTimersByTime(1);
    line.update({ ...p, elapsedMs: 3000 });
    line.end();
    expect(writes).toEqual([`${formatProgress(p)}\n`, `${formatProgress({ ...p, elapsedMs: 3000 })}\n`]);
  });
});

describe('renderTemplate', () => {
  const vars: TemplateVars = {
    port: '41234',
    replica: '1',
    zone: 'b',
    dataDir: '/tmp/gameday/run-1/data',
    partners: {
      acme: { url: 'http://127.0.0.1:40001', webhookSecret: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu' },
      globex: { url: 'http://127.0.0.1:40002', webhookSecret: 'whsec_Z2xvYmV4' },
    },
  };

  it('fills the replica placeholders', () => {
    expect(renderTemplate('http://127.0.0.1:{{port}}/r{{replica}}?zone={{zone}}', vars)).toBe('http://127.0.0.1:41234/r1?zone=b');
    expect(renderTemplate('{{dataDir}}/hub.db', vars)).toBe('/tmp/gameday/run-1/data/hub.db');
  });

  it('tolerates spaces inside the braces', () => {
    expect(renderTemplate('{{ port }}-{{  zone}}', vars)).toBe('41234-b');
  });

  it('fills partner URLs and secrets', () => {
    expect(renderTemplate('{{partners.acme.url}}', vars)).toBe('http://127.0.0.1:40001');
    expect(renderTemplate('{{partners.globex.webhookSecret}}', vars)).toBe('whsec_Z2xvYmV4');
  });

  it('fills a rotating partner\'s previous secret and rotation moments, and {{t0File}}; refuses them where there are none', () => {
    const rotating: TemplateVars = {
      ...vars,
      t0File: '/tmp/gameday-run-t0-x/t0.json',
      partners: { ...vars.partners, acme: { ...vars.partners.acme, previousWebhookSecret: 'whsec_b2xk', rotationAt: 8000, rotationEnd: 16000 } },
    };
    expect(renderTemplate('{"acme":{"previous":"{{partners.acme.previousWebhookSecret}}","at":{{partners.acme.rotationAt}},"end":{{partners.acme.rotationEnd}}}}', rotating)).toBe(
      '{"acme":{"previous":"whsec_b2xk","at":8000,"end":16000}}',
    );
    expect(renderTemplate('{{t0File}}', rotating)).toBe('/tmp/gameday-run-t0-x/t0.json');
    expect(() => renderTemplate('{{partners.globex.previousWebhookSecret}}', rotating)).toThrowError('partner "globex" rotates no key: give it previousWebhookSecret and rotation: { at, overlap }');
    expect(() => renderTemplate('{{t0File}}', vars)).toThrowError(/process targets only/);
  });

  it('renders {{webhookSecrets}} as a JSON object of every partner', () => {
    const out = renderTemplate('{{webhookSecrets}}', vars);
    expect(JSON.parse(out)).toEqual({ acme: 'whsec_RgKhJmRHYfWaP3doSioYNqsmMbNytnzu', globex: 'whsec_Z2xvYmV4' });
    expect(renderTemplate('{{webhookSecrets}}', { ...vars, partners: {} })).toBe('{}');
  });

  it('leaves text without placeholders alone', () => {
    expect(renderTemplate('plain value, {single} braces and {{}}', vars)).toBe('plain value, {single} braces and {{}}');
    expect(renderTemplate('', vars)).toBe('');
  });

  it.each([
    ['{{host}}', 'host'],
    ['{{partners.initech.url}}', 'partners.initech.url'],
    ['{{partners.acme.password}}', 'partners.acme.password'],
    ['{{partners.acme}}', 'partners.acme'],
    ['{{partners}}', 'partners'],
    ['{{partners.acme.url.extra}}', 'partners.acme.url.extra'],
    ['ok {{port}} then {{PORT}}', 'PORT'],
  ])('throws on %s, naming the placeholder and the known ones', (template, name) => {
    expect(() => renderTemplate(template, vars)).toThrowError(`unknown placeholder {{${name}}}`);
    expect(() => renderTemplate(template, vars)).toThrowError(/use \{\{port\}\}, \{\{replica\}\}, \{\{zone\}\}, \{\{dataDir\}\}, \{\{webhookSecrets\}\}/);
  });

  // regression: own properties only — {{toString}} or {{partners.toString.url}} are typos
  it('rejects placeholders named like inherited properties', () => {
    expect(() => renderTemplate('{{toString}}', vars)).toThrowError('unknown placeholder {{toString}}');
  });

  it('rejects partner placeholders named like inherited properties', () => {
    expect(() => renderTemplate('{{partners.toString.url}}', vars)).toThrowError('unknown placeholder {{partners.toString.url}}');
  });
});
