import { NORM_EPSILON, batchPairwiseLoss, type ComparisonBatchV1, type LossSettings } from '@pal/core';

/** PAL-B projections of one batch's distinct rows, as the feature graph returns them. */
export interface PalBProjections {
  itemUnit: Float32Array;
  promptOutputs: Float32Array[];
  scale: number;
  latentDim: number;
}

/**
 * A batch reduced to what the user logits can still change when every projection is frozen: for
 * comparison j and prototypes k, l the dot products a_jk = <u_left - u_right, g_k(x_c)> and the Gram
 * entries G_jkl = <g_k(x_c), g_l(x_c)>. Then <u_left - u_right, z> = w^T a_j and ||z||^2 = w^T G_j w,
 * so a step costs O(K^2) per comparison instead of O(K d).
 */
export interface FrozenPalBBatch {
  count: number;
  K: number;
  user: Int32Array;
  label: Int8Array;
  weight: Float32Array;
  dots: Float64Array;
  gram: Float64Array;
  scale: number;
  /** The bound loss, constant while the prompt mappings are frozen. */
  boundLoss: number;
}

/** Reduces a batch (whose rows match `projections`) to the per-comparison quantities above. */
export function reduceFrozenPalBBatch(
  batch: ComparisonBatchV1,
  indices: { promptIndex: Int32Array; leftIndex: Int32Array; rightIndex: Int32Array },
  projections: PalBProjections,
  loss: LossSettings,
): FrozenPalBBatch {
  const count = batch.label.length;
  const K = projections.promptOutputs.length;
  const d = projections.latentDim;
  const dots = new Float64Array(count * K);
  const gram = new Float64Array(count * K * K);
  const { itemUnit, promptOutputs } = projections;
  for (let row = 0; row < count; row++) {
    const left = indices.leftIndex[row]! * d;
    const right = indices.rightIndex[row]! * d;
    const prompt = indices.promptIndex[row]! * d;
    for (let k = 0; k < K; k++) {
      const g = promptOutputs[k]!;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += (itemUnit[left + i]! - itemUnit[right + i]!) * g[prompt + i]!;
      dots[row * K + k] = dot;
      for (let l = 0; l <= k; l++) {
        const h = promptOutputs[l]!;
        let entry = 0;
        for (let i = 0; i < d; i++) entry += g[prompt + i]! * h[prompt + i]!;
        gram[(row * K + k) * K + l] = entry;
        gram[(row * K + l) * K + k] = entry;
      }
    }
  }
  return { count, K, user: batch.user, label: batch.label, weight: batch.weight, dots, gram, scale: projections.scale, boundLoss: boundLoss(indices.promptIndex, projections, loss, count) };
}

/** Loss, logits and (optionally) the user-logit gradient of a frozen batch, in float64. */
export function frozenPalBObjective(
  batch: FrozenPalBBatch,
  userLogits: Float64Array,
  loss: LossSettings,
  gradient?: Float64Array,
): { loss: number; logits: Float64Array } {
  const { count, K, dots, gram, scale } = batch;
  const mixtures = softmaxRows(userLogits, K);
  const logits = new Float64Array(count);
  const norms = new Float64Array(count);
  const numerators = new Float64Array(count);
  const gramTimesW = new Float64Array(count * K);
  for (let row = 0; row < count; row++) {
    const w = batch.user[row]! * K;
    let numerator = 0;
    let squared = 0;
    for (let k = 0; k < K; k++) {
      numerator += mixtures[w + k]! * dots[row * K + k]!;
      let product = 0;
      for (let l = 0; l < K; l++) product += gram[(row * K + k) * K + l]! * mixtures[w + l]!;
      gramTimesW[row * K + k] = product;
      squared += mixtures[w + k]! * product;
    }
    const norm = Math.sqrt(Math.max(squared, 0) + NORM_EPSILON);
    numerators[row] = numerator;
    norms[row] = norm;
    logits[row] = (scale * numerator) / norm;
  }
  const objective = batchPairwiseLoss(logits, batch.label, batch.weight, loss);
  if (gradient) {
    const mixtureGradient = new Float64Array(userLogits.length);
    for (let row = 0; row < count; row++) {
      const dLogit = objective.logitGradient[row]!;
      if (dLogit === 0) continue;
      const w = batch.user[row]! * K;
      const norm = norms[row]!;
      // logit = s (w.a) / sqrt(w^T G w + eps): d/dw = s (a / norm - (w.a) G w / norm^3).
      for (let k = 0; k < K; k++) {
        mixtureGradient[w + k]! += dLogit * scale * (dots[row * K + k]! / norm - (numerators[row]! * gramTimesW[row * K + k]!) / (norm * norm * norm));
      }
    }
    for (let offset = 0; offset < userLogits.length; offset += K) {
      let inner = 0;
      for (let k = 0; k < K; k++) inner += mixtures[offset + k]! * mixtureGradient[offset + k]!;
      for (let k = 0; k < K; k++) gradient[offset + k]! += mixtures[offset + k]! * (mixtureGradient[offset + k]! - inner);
    }
  }
  return { loss: objective.loss + batch.boundLoss, logits };
}

function softmaxRows(logits: Float64Array, K: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let offset = 0; offset < logits.length; offset += K) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, logits[offset + k]!);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += out[offset + k] = Math.exp(logits[offset + k]! - max);
    for (let k = 0; k < K; k++) out[offset + k]! /= sum;
  }
  return out;
}

/** Core's PAL-B bound loss: lambda / n * sum_j sum_k relu(||g_k(x_c_j)|| - bound). */
function boundLoss(promptIndex: Int32Array, projections: PalBProjections, loss: LossSettings, count: number): number {
  if (!loss.bound || loss.bound.weight === 0) return 0;
  const d = projections.latentDim;
  let total = 0;
  for (let row = 0; row < count; row++) {
    const offset = promptIndex[row]! * d;
    for (const g of projections.promptOutputs) {
      let squared = 0;
      for (let i = 0; i < d; i++) squared += g[offset + i]! * g[offset + i]!;
      total += Math.max(Math.sqrt(squared) - loss.bound.bound, 0);
    }
  }
  return (loss.bound.weight * total) / count;
}
