/** Y[n, out] = X[n, in] W[out, in]^T + b: a Linear layer in PyTorch's weight layout. */
export function linearForward(x: Float64Array, rows: number, inputDim: number, weight: Float64Array, bias: Float64Array, outputDim: number): Float64Array {
  const y = new Float64Array(rows * outputDim);
  for (let row = 0; row < rows; row++) {
    const xOffset = row * inputDim;
    const yOffset = row * outputDim;
    for (let out = 0; out < outputDim; out++) {
      const wOffset = out * inputDim;
      let sum = bias[out]!;
      for (let k = 0; k < inputDim; k++) sum += x[xOffset + k]! * weight[wOffset + k]!;
      y[yOffset + out] = sum;
    }
  }
  return y;
}

/**
 * Backward of a Linear layer: accumulates dW += dY^T X and db += sum dY, and returns dX = dY W
 * (or nothing when the input needs no gradient).
 */
export function linearBackward(
  x: Float64Array,
  dy: Float64Array,
  rows: number,
  inputDim: number,
  outputDim: number,
  weight: Float64Array,
  weightGradient: Float64Array,
  biasGradient: Float64Array,
  needInputGradient: boolean,
): Float64Array | undefined {
  const dx = needInputGradient ? new Float64Array(rows * inputDim) : undefined;
  for (let row = 0; row < rows; row++) {
    const xOffset = row * inputDim;
    for (let out = 0; out < outputDim; out++) {
      const g = dy[row * outputDim + out]!;
      if (g === 0) continue;
      biasGradient[out]! += g;
      const wOffset = out * inputDim;
      for (let k = 0; k < inputDim; k++) weightGradient[wOffset + k]! += g * x[xOffset + k]!;
      if (dx) for (let k = 0; k < inputDim; k++) dx[xOffset + k]! += g * weight[wOffset + k]!;
    }
  }
  return dx;
}

/** Softmax of one row of logits. */
export function softmax(logits: ArrayLike<number>, offset: number, count: number): Float64Array {
  let max = -Infinity;
  for (let k = 0; k < count; k++) max = Math.max(max, logits[offset + k]!);
  const out = new Float64Array(count);
  let sum = 0;
  for (let k = 0; k < count; k++) {
    out[k] = Math.exp(logits[offset + k]! - max);
    sum += out[k]!;
  }
  for (let k = 0; k < count; k++) out[k]! /= sum;
  return out;
}

/** Accumulates the softmax backward dLogits += w * (dw - <w, dw>) into `target` at `offset`. */
export function softmaxBackward(w: Float64Array, dw: Float64Array, target: Float64Array, offset: number): void {
  let dot = 0;
  for (let k = 0; k < w.length; k++) dot += w[k]! * dw[k]!;
  for (let k = 0; k < w.length; k++) target[offset + k]! += w[k]! * (dw[k]! - dot);
}

/** Converts a float32 matrix to float64 for the reference computations. */
export function toFloat64(data: Float32Array): Float64Array {
  return Float64Array.from(data);
}
