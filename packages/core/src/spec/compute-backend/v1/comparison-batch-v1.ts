import type { Matrix } from '../../../data/matrix.js';

/**
 * A minibatch as core hands it to a backend: distinct prompt and item embeddings with per-comparison
 * indices (so an engine can run each distinct row through its MLP once), model-local user indices,
 * labels (1 = left preferred) and loss weights. The batch loss is sum_j weight_j * loss_j / sum_j weight_j.
 */
export interface ComparisonBatchV1 {
  prompts: Matrix;
  items: Matrix;
  promptIndex: Int32Array;
  leftIndex: Int32Array;
  rightIndex: Int32Array;
  user: Int32Array;
  label: Int8Array;
  weight: Float32Array;
}

/** Rewards to compute: item `itemIndex[j]` in context `promptIndex[j]` for user `user[j]`. */
export interface ScoreRequestV1 {
  prompts: Matrix;
  items: Matrix;
  promptIndex: Int32Array;
  itemIndex: Int32Array;
  user: Int32Array;
}
