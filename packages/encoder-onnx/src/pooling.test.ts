import { describe, expect, it } from 'vitest';
import { normalizeRows, poolTokenStates } from './pooling.js';

// Two sequences of three positions, width 2: the first has its padding on the right, the second on the left.
const hidden = Float32Array.of(1, 2, 3, 4, 100, 100, /* second */ 100, 100, 5, 6, 7, 8);
const mask = [1, 1, 0, 0, 1, 1];

describe('poolTokenStates', () => {
  it('should average only the real tokens in mean pooling', () => {
    expect([...poolTokenStates(hidden, mask, 2, 3, 2, 'mean')]).toEqual([2, 3, 6, 7]);
  });

  it('should take the first real token in cls pooling and the last real token in last pooling', () => {
    expect([...poolTokenStates(hidden, mask, 2, 3, 2, 'cls')]).toEqual([1, 2, 5, 6]);
    expect([...poolTokenStates(hidden, mask, 2, 3, 2, 'last')]).toEqual([3, 4, 7, 8]);
  });

  it('should refuse states and masks of the wrong size', () => {
    expect(() => poolTokenStates(hidden, [1, 1], 2, 3, 2, 'mean')).toThrow(/expected 2 x 3 x 2 states and 2 x 3 mask values/);
  });
});

describe('normalizeRows', () => {
  it('should scale rows to unit length and leave zero rows alone', () => {
    expect([...normalizeRows(Float32Array.of(3, 4, 0, 0), 2)]).toEqual([0.6, 0.8, 0, 0].map((value) => Math.fround(value)));
  });
});
