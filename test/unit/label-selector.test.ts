import { describe, expect, it } from 'vitest';
import { LabelSelector, parseLabelSelector } from '../../src/schema/label-selector.ts';

describe('parseLabelSelector', () => {
  it('reads every requirement form the API server takes', () => {
    const r = parseLabelSelector('app=checkout, tier in (web, api),!canary,track!=beta,app.kubernetes.io/part-of==shop,env notin (dev),zone');
    expect(r).toEqual({
      ok: true,
      requirements: [
        { key: 'app', op: '=', value: 'checkout' },
        { key: 'tier', op: 'in', values: ['web', 'api'] },
        { key: 'canary', op: 'not-exists' },
        { key: 'track', op: '!=', value: 'beta' },
        { key: 'app.kubernetes.io/part-of', op: '=', value: 'shop' },
        { key: 'env', op: 'notin', values: ['dev'] },
        { key: 'zone', op: 'exists' },
      ],
    });
  });

  it('the empty selector selects everything', () => {
    expect(parseLabelSelector('')).toEqual({ ok: true, requirements: [] });
  });

  it.each([
    ['app=', true],
    ['app in (a,b', false],
    ['app==x==y', false],
    ['-app=x', false],
    ['app=x,', false],
    ['Bad_Prefix/app=x', false],
    [`app=${'v'.repeat(64)}`, false],
    ['app in (a,b-)', false],
    ['app >= 3', false],
  ])('%s parses: %s', (selector, ok) => {
    expect(parseLabelSelector(selector).ok).toBe(ok);
  });

  it('says what is wrong and how to write it', () => {
    const r = parseLabelSelector('app=checkout,tier ~ web');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/cannot read "tier ~ web"; write key=value/);
  });

  it('the schema refuses a selector that does not parse and keeps one that does', () => {
    expect(LabelSelector.parse('app=checkout')).toBe('app=checkout');
    expect(LabelSelector.safeParse('app in (x').success).toBe(false);
  });
});
