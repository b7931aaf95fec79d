import { DimensionMismatchError, type Matrix } from '@pal/core';
import type { Tensor1D, Tensor2D, TfjsModule } from '../engine/tfjs-module.js';

/** A matrix as a 2-D float32 tensor (tfjs reads the Float32Array, the caller keeps ownership). */
export function matrixTensor(tf: TfjsModule, matrix: Matrix): Tensor2D {
  return tf.tensor2d(matrix.data, [matrix.rows, matrix.cols], 'float32');
}

/** An index array as an int32 tensor for tf.gather. */
export function indexTensor(tf: TfjsModule, indices: Int32Array): Tensor1D {
  return tf.tensor1d(indices, 'int32');
}

/**
 * Per-comparison loss inputs: sign = +1 when the left item won (-1 otherwise) and share = weight / sum of
 * weights, computed in float64 before the float32 tensor as core's batch loss does.
 */
export function lossInputs(tf: TfjsModule, label: Int8Array, weight: Float32Array): { sign: Tensor1D; share: Tensor1D } {
  let total = 0;
  for (const value of weight) total += value;
  const sign = Float32Array.from(label, (value) => (value === 1 ? 1 : -1));
  const share = Float32Array.from(weight, (value) => value / total);
  return { sign: tf.tensor1d(sign), share: tf.tensor1d(share) };
}

/** The distinct users of a batch in order of appearance, and each row's slot among them. */
export function userSlots(user: Int32Array): { distinct: Int32Array; slot: Int32Array } {
  const slots = new Map<number, number>();
  const slot = new Int32Array(user.length);
  user.forEach((value, row) => {
    if (!slots.has(value)) slots.set(value, slots.size);
    slot[row] = slots.get(value)!;
  });
  return { distinct: Int32Array.from(slots.keys()), slot };
}

/** Throws a DimensionMismatchError when an embedding matrix does not have the width the model expects. */
export function assertMatrixWidth(matrix: Matrix, expected: number, name: string): void {
  if (matrix.cols !== expected) {
    throw new DimensionMismatchError(`${name}: expected ${expected} columns as the model definition says, found ${matrix.cols}`, { source: 'backend-tfjs' });
  }
}

/** Throws a DimensionMismatchError when per-row arrays of one request differ in length. */
export function assertSameLength(arrays: Record<string, ArrayLike<number>>, what: string): void {
  const entries = Object.entries(arrays);
  const [firstName, first] = entries[0]!;
  for (const [name, array] of entries) {
    if (array.length !== first.length) {
      throw new DimensionMismatchError(`${what}: ${name} has ${array.length} rows, expected ${first.length} like ${firstName}`, { source: 'backend-tfjs' });
    }
  }
}
