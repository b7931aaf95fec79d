import type { EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { DimensionMismatchError } from '../errors/errors.js';
import type { ModelDefinition } from '../model/model-definition.js';
import type { BackendModelV1 } from '../spec/compute-backend/v1/compute-backend-v1.js';
import { buildBatch, chunks } from './batching.js';

/** Throws a DimensionMismatchError when embedding widths differ from the model definition. */
export function assertDataMatchesDefinition(data: EmbeddedComparisons, definition: ModelDefinition, what: string): void {
  if (data.items.cols !== definition.itemDim) {
    throw new DimensionMismatchError(`${what}: item embeddings have ${data.items.cols} columns, the model expects itemDim = ${definition.itemDim}`);
  }
  if (definition.promptDim > 0 && data.prompts.cols !== definition.promptDim) {
    throw new DimensionMismatchError(`${what}: prompt embeddings have ${data.prompts.cols} columns, the model expects promptDim = ${definition.promptDim}`);
  }
}

/** Logits r_left - r_right for every comparison in `data`, plus the weighted mean loss. */
export async function evaluationPass(
  model: BackendModelV1,
  data: EmbeddedComparisons,
  userMap: Int32Array,
  batchSize: number,
  weights?: Float32Array,
): Promise<{ loss: number; logits: Float32Array }> {
  const logits = new Float32Array(data.label.length);
  let weightedLoss = 0;
  let totalWeight = 0;
  for (const rows of chunks(data.label.length, batchSize)) {
    const batch = buildBatch(data, rows, userMap, weights);
    const result = await model.doEvaluate(batch);
    const batchWeight = batch.weight.reduce((a, b) => a + b, 0);
    weightedLoss += result.loss * batchWeight;
    totalWeight += batchWeight;
    logits.set(result.logits, rows[0]!);
  }
  return { loss: weightedLoss / totalWeight, logits };
}

/** Share of comparisons whose logit sign agrees with the label (1 = left preferred). */
export function accuracyOf(logits: Float32Array, labels: Int8Array): number {
  let correct = 0;
  for (let row = 0; row < labels.length; row++) if (logits[row]! > 0 === (labels[row] === 1)) correct++;
  return labels.length === 0 ? Number.NaN : correct / labels.length;
}
