import { describe, expect, it } from 'vitest';
import { Select } from '../../src/schema/select.ts';
import { selectVictims, victimCount } from '../../chaos/select.ts';

const three = ['r0', 'r1', 'r2'];

describe('blast-radius selection', () => {
  it('count: 1 of 3 picks exactly one, records it and the seed, and the same seed picks the same one', () => {
    const s = selectVictims(three, Select.parse({ mode: 'count', value: 1, seed: 7 }), 'fault kill');
    expect(s.chosen).toHaveLength(1);
    expect(three).toContain(s.chosen[0]);
    expect(s.seed).toBe(7);
    expect(s.matched).toEqual(three);
    expect(selectVictims(three, Select.parse({ mode: 'count', value: 1, seed: 7 }), 'x').chosen).toEqual(s.chosen);
    // different seeds do not all pick the same replica
    const picks = new Set(Array.from({ length: 20 }, (_, seed) => selectVictims(three, Select.parse({ mode: 'count', value: 1, seed }), 'x').chosen[0]));
    expect(picks.size).toBeGreaterThan(1);
  });

  it('percent rounds up, at least 1', () => {
    expect(victimCount(Select.parse({ mode: 'percent', value: 50 }), 3)).toBe(2);
    expect(victimCount(Select.parse({ mode: 'percent', value: 10 }), 3)).toBe(1);
    expect(victimCount(Select.parse({ mode: 'percent', value: 100 }), 3)).toBe(3);
    expect(victimCount(Select.parse({ mode: 'percent', value: 50 }), 4)).toBe(2);
    expect(selectVictims(three, Select.parse({ mode: 'percent', value: 50 }), 'x').chosen).toHaveLength(2);
  });

  it('all takes every match and has no seed', () => {
    expect(selectVictims(three, Select.parse({ mode: 'all' }), 'x')).toEqual({ mode: 'all', seed: null, matched: three, chosen: three });
  });

  it('refuses an empty selection and a count beyond the matches', () => {
    expect(() => selectVictims([], Select.parse({ mode: 'all' }), 'fault kill')).toThrow(/fault kill: the selection matches nothing/);
    expect(() => selectVictims(three, Select.parse({ mode: 'count', value: 4 }), 'fault kill')).toThrow(/more than the 3 that match/);
    expect(Select.safeParse({ mode: 'percent', value: 0 }).success).toBe(false);
    expect(Select.safeParse({ mode: 'all', value: 2 }).success).toBe(false);
  });
});
