import type { Tensor, Tensor1D, TfjsModule } from '../engine/tfjs-module.js';

/**
 * Rows `indices` of `table` (tf.gather on axis 0) with a gradient that scatter-adds into the table.
 * tfjs differentiates gather through UnsortedSegmentSum, which the wasm backend lacks; ScatterNd sums
 * repeated indices on every backend, so this gradient works everywhere.
 */
export function gatherRows<T extends Tensor>(tf: TfjsModule, table: T, indices: Tensor1D): T {
  const gather = tf.customGrad((x, save) => {
    const input = x as Tensor;
    // The gradient runs after variableGrads' forward tidy has released `indices`: keep a saved copy.
    (save as (tensors: Tensor[]) => void)([indices]);
    return {
      value: tf.gather(input, indices),
      gradFunc: (dy, saved) => tf.scatterND(tf.expandDims(saved[0]!, 1), dy as Tensor, input.shape),
    };
  });
  return gather(table) as T;
}
