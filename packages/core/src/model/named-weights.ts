/** One tensor in core's weight layout: row-major float32 with an explicit shape. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * Weights keyed by core's parameter names (see `parameterLayout`). Every backend exports and imports
 * this layout, which is what lets a checkpoint written by one backend load on every other.
 */
export type NamedWeights = Record<string, WeightTensor>;

/** Deep copy, so a caller can keep weights while an engine keeps training. */
export function cloneWeights(weights: NamedWeights): NamedWeights {
  const copy: NamedWeights = {};
  for (const [name, tensor] of Object.entries(weights)) copy[name] = { shape: [...tensor.shape], data: tensor.data.slice() };
  return copy;
}
