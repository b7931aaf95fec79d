import { InvalidArgumentError } from '@pal/core';

/** How token vectors become one text vector: masked mean, the first (CLS) token, or the last real token. */
export type Pooling = 'mean' | 'cls' | 'last';

/**
 * Pools `hidden` ([batch, sequence, width], row-major) into [batch, width] using the attention mask
 * (1 = real token): padding never contributes, whichever side it is on.
 */
export function poolTokenStates(hidden: Float32Array, mask: ArrayLike<number>, batch: number, sequence: number, width: number, pooling: Pooling): Float32Array {
  if (hidden.length !== batch * sequence * width || mask.length !== batch * sequence) {
    throw new InvalidArgumentError(`pooling: expected ${batch} x ${sequence} x ${width} states and ${batch} x ${sequence} mask values, found ${hidden.length} and ${mask.length}`, {
      source: 'encoder-onnx',
    });
  }
  const pooled = new Float32Array(batch * width);
  for (let row = 0; row < batch; row++) {
    const target = pooled.subarray(row * width, (row + 1) * width);
    const state = (position: number) => hidden.subarray((row * sequence + position) * width, (row * sequence + position + 1) * width);
    if (pooling === 'mean') {
      const sums = new Float64Array(width);
      let count = 0;
      for (let position = 0; position < sequence; position++) {
        if (mask[row * sequence + position] === 0) continue;
        const vector = state(position);
        for (let column = 0; column < width; column++) sums[column]! += vector[column]!;
        count++;
      }
      for (let column = 0; column < width; column++) target[column] = count > 0 ? sums[column]! / count : 0;
    } else if (pooling === 'cls') {
      let first = 0;
      while (first < sequence - 1 && mask[row * sequence + first] === 0) first++;
      target.set(state(first));
    } else {
      let last = sequence - 1;
      while (last > 0 && mask[row * sequence + last] === 0) last--;
      target.set(state(last));
    }
  }
  return pooled;
}

/** Scales each row of a [rows, width] array to unit L2 norm in place (all-zero rows stay zero). */
export function normalizeRows(values: Float32Array, width: number): Float32Array {
  for (let start = 0; start < values.length; start += width) {
    let squared = 0;
    for (let column = 0; column < width; column++) squared += values[start + column]! * values[start + column]!;
    if (squared === 0) continue;
    const scale = 1 / Math.sqrt(squared);
    for (let column = 0; column < width; column++) values[start + column]! *= scale;
  }
  return values;
}
