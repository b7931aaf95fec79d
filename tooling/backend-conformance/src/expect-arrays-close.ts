import { expect } from 'vitest';

/**
 * Asserts |actual - expected| <= tolerance * max(1, max |expected|) element-wise: a relative tolerance
 * on the array's scale, so tiny entries of a large gradient are not held to an impossible precision.
 */
export function expectArraysClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let scale = 1;
  for (let index = 0; index < expected.length; index++) scale = Math.max(scale, Math.abs(expected[index]!));
  let worst = 0;
  let worstIndex = -1;
  for (let index = 0; index < expected.length; index++) {
    const error = Math.abs(actual[index]! - expected[index]!);
    if (!(error <= worst)) {
      worst = error;
      worstIndex = index;
    }
  }
  expect(worst, `${what}: largest error at index ${worstIndex} (actual ${actual[worstIndex]}, expected ${expected[worstIndex]}, scale ${scale})`).toBeLessThanOrEqual(tolerance * scale);
}
