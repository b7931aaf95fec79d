import { expect } from 'vitest';

/** Asserts two arrays have the same length and agree element-wise within `tolerance`, naming the first value that does not. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < actual.length; index++) {
    if (!(Math.abs(actual[index]! - expected[index]!) <= tolerance)) {
      throw new Error(`value ${index}: expected ${expected[index]} within ${tolerance}, found ${actual[index]}`);
    }
  }
}
