import { describe, expect, it } from 'vitest';
import {
  assignUnseenPreferences,
  characterLength,
  isSupervisedPair,
  preferredByLength,
  rankByCount,
  seenWorkerPreference,
  stratifiedValidationSizes,
} from './tldr-protocol.js';

describe('TL;DR protocol rules', () => {
  it('should keep only pairs whose two policies contain "sup" and not "ppo"', () => {
    expect(isSupervisedPair(['sup1', 'sup4_6b_t0.7'])).toBe(true);
    expect(isSupervisedPair(['sup1', 'sup4_ppo_rm3_kl10'])).toBe(false);
    expect(isSupervisedPair(['ref', 'sup2'])).toBe(false);
    expect(isSupervisedPair(['pretrain_12b', 'sup2'])).toBe(false);
  });

  it('should count characters as code points, like Python', () => {
    expect(characterLength('tl;dr 🙂')).toBe(7);
    expect(preferredByLength(['🙂🙂🙂', 'abcd'], 'longer')).toBe('right');
    expect(preferredByLength(['🙂🙂🙂', 'ab'], 'longer')).toBe('left');
    expect(preferredByLength(['abc', 'xyz'], 'longer')).toBe('right');
    expect(preferredByLength(['abc', 'xyz'], 'shorter')).toBe('right');
    expect(preferredByLength(['ab', 'xyz'], 'shorter')).toBe('left');
  });

  it('should make indices 3, 4 and 5 of the seen workers the shorter-preferring minority', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(seenWorkerPreference)).toEqual([
      'longer', 'longer', 'longer', 'shorter', 'shorter', 'shorter', 'longer', 'longer', 'longer', 'longer',
    ]);
  });

  it('should rank by count with ties broken by id', () => {
    expect(rankByCount(new Map([['b', 3], ['a', 3], ['c', 5]]))).toEqual(['c', 'a', 'b']);
  });

  it('should turn 23,299 seen train comparisons into the paper\'s 20,969 / 2,330', () => {
    const counts = new Map([
      ['w0', 3511], ['w1', 3320], ['w2', 2788], ['w3', 2504], ['w4', 2301],
      ['w5', 2109], ['w6', 1943], ['w7', 1802], ['w8', 1587], ['w9', 1434],
    ]);
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    expect(total).toBe(23_299);
    const sizes = stratifiedValidationSizes(counts);
    const validation = [...sizes.values()].reduce((sum, size) => sum + size, 0);
    expect(validation).toBe(2_330);
    expect(total - validation).toBe(20_969);
    for (const [worker, count] of counts) {
      expect(Math.abs(sizes.get(worker)! - count / 10)).toBeLessThan(1);
    }
  });

  it('should assign round(70 %) of unseen workers to longer, the same way for the same seed', () => {
    const workers = Array.from({ length: 31 }, (_, index) => `w${index}`);
    const first = assignUnseenPreferences(workers, 0.7, 42);
    expect([...first.values()].filter((preference) => preference === 'longer').length).toBe(22);
    expect(assignUnseenPreferences([...workers].reverse(), 0.7, 42)).toEqual(first);
    expect(assignUnseenPreferences(workers, 0.7, 43)).not.toEqual(first);
  });
});
