import type { PalBModelDefinition } from '../../model/model-definition.js';
import { LOG_LOGIT_SCALE, USER_LOGITS, modelProjectors } from '../../model/parameter-layout.js';
import type { LossSettings } from '../../losses/loss-settings.js';
import { batchPairwiseLoss } from '../../losses/batch-loss.js';
import type { Random } from '../../random/random.js';
import type { ComparisonBatchV1, ScoreRequestV1 } from '../../spec/compute-backend/v1/comparison-batch-v1.js';
import { softmax, softmaxBackward, toFloat64 } from './linear-algebra.js';
import { mlpBackward, mlpForward, type MlpTrace, type ParameterStore } from './mlp.js';

/** Small constant inside the norm, sqrt(||v||^2 + eps), so normalisation is smooth at zero. */
export const NORM_EPSILON = 1e-12;

/** Result of one objective evaluation. */
export interface ObjectiveResult {
  loss: number;
  logits: Float64Array;
}

/** The logit scale s = exp(min(l, ln maxScale)) and ds/dl (0 once clamped). */
export function logitScale(definition: PalBModelDefinition, logScale: number): { scale: number; derivative: number } {
  const limit = Math.log(definition.maxLogitScale);
  return logScale < limit ? { scale: Math.exp(logScale), derivative: Math.exp(logScale) } : { scale: definition.maxLogitScale, derivative: 0 };
}

interface PromptMixture {
  /** z = sum_k w_k g_k(x_c) for one (user, prompt) row. */
  z: Float64Array;
  weights: Float64Array;
}

/**
 * PAL-B forward pass (eq. 6): f on the distinct items, each g_k on the distinct prompts, then
 * r = s * cos(f(x), sum_k w_k g_k(x_c)). With `gradients` it also runs the analytic backward pass.
 */
export function palBObjective(
  definition: PalBModelDefinition,
  parameters: ParameterStore,
  batch: ComparisonBatchV1,
  loss: LossSettings,
  options: { random?: Random; gradients?: ParameterStore },
): ObjectiveResult {
  const { item, prompts } = modelProjectors(definition);
  const d = definition.latentDim;
  const K = definition.numPrototypes;
  const count = batch.label.length;
  const itemTrace = mlpForward(item, parameters, toFloat64(batch.items.data), batch.items.rows, options.random);
  const promptInput = toFloat64(batch.prompts.data);
  const promptTraces = prompts.map((layout) => mlpForward(layout, parameters, promptInput, batch.prompts.rows, options.random));
  const { itemUnit, itemNorm } = normalizeRows(itemTrace.output, batch.items.rows, d);
  const userLogits = parameters.get(USER_LOGITS)!;
  const { scale, derivative: scaleDerivative } = logitScale(definition, parameters.get(LOG_LOGIT_SCALE)![0]!);

  const logits = new Float64Array(count);
  const mixtures: PromptMixture[] = [];
  const cosines = new Float64Array(count * 2);
  for (let row = 0; row < count; row++) {
    const mixture = mixPrompt(promptTraces, userLogits, batch.user[row]!, batch.promptIndex[row]!, K, d);
    mixtures.push(mixture);
    const zNorm = Math.sqrt(dot(mixture.z, 0, mixture.z, 0, d) + NORM_EPSILON);
    const left = dot(itemUnit, batch.leftIndex[row]! * d, mixture.z, 0, d) / zNorm;
    const right = dot(itemUnit, batch.rightIndex[row]! * d, mixture.z, 0, d) / zNorm;
    cosines[2 * row] = left;
    cosines[2 * row + 1] = right;
    logits[row] = scale * (left - right);
  }
  const objective = batchPairwiseLoss(logits, batch.label, batch.weight, loss);
  const bound = promptBoundLoss(definition, loss, promptTraces, batch, options.gradients !== undefined);
  const result = { loss: objective.loss + bound.value, logits };
  if (!options.gradients) return result;

  const gradients = options.gradients;
  const dItemUnit = new Float64Array(itemUnit.length);
  const dPrompt = promptTraces.map(() => new Float64Array(batch.prompts.rows * d));
  const dUserLogits = gradients.get(USER_LOGITS)!;
  let dLogScale = 0;
  for (let row = 0; row < count; row++) {
    const dLogit = objective.logitGradient[row]!;
    if (dLogit === 0) continue;
    dLogScale += dLogit * (cosines[2 * row]! - cosines[2 * row + 1]!) * scaleDerivative;
    const { z, weights } = mixtures[row]!;
    const zNorm = Math.sqrt(dot(z, 0, z, 0, d) + NORM_EPSILON);
    const leftOffset = batch.leftIndex[row]! * d;
    const rightOffset = batch.rightIndex[row]! * d;
    // cos = <u, z>/|z| for unit u: d cos/du = z/|z|, d cos/dz = (u - cos * z/|z|)/|z|.
    const dz = new Float64Array(d);
    const gLeft = dLogit * scale;
    const gRight = -dLogit * scale;
    const cosLeft = cosines[2 * row]!;
    const cosRight = cosines[2 * row + 1]!;
    for (let i = 0; i < d; i++) {
      const zHat = z[i]! / zNorm;
      dItemUnit[leftOffset + i]! += gLeft * zHat;
      dItemUnit[rightOffset + i]! += gRight * zHat;
      dz[i] = (gLeft * (itemUnit[leftOffset + i]! - cosLeft * zHat) + gRight * (itemUnit[rightOffset + i]! - cosRight * zHat)) / zNorm;
    }
    const promptOffset = batch.promptIndex[row]! * d;
    const dWeights = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      const g = promptTraces[k]!.output;
      dWeights[k] = dot(g, promptOffset, dz, 0, d);
      const target = dPrompt[k]!;
      for (let i = 0; i < d; i++) target[promptOffset + i]! += weights[k]! * dz[i]!;
    }
    softmaxBackward(weights, dWeights, dUserLogits, batch.user[row]! * K);
  }
  gradients.get(LOG_LOGIT_SCALE)![0]! += dLogScale;
  for (let k = 0; k < K; k++) {
    const boundGradient = bound.gradients[k];
    if (boundGradient) for (let index = 0; index < boundGradient.length; index++) dPrompt[k]![index]! += boundGradient[index]!;
    mlpBackward(prompts[k]!, parameters, gradients, promptTraces[k]!, dPrompt[k]!, false);
  }
  const dItem = normalizeRowsBackward(itemUnit, itemNorm, dItemUnit, batch.items.rows, d);
  mlpBackward(item, parameters, gradients, itemTrace, dItem, false);
  return result;
}

/** PAL-B rewards r = s * cos(f(x), z_u(x_c)) for score requests. */
export function palBScore(definition: PalBModelDefinition, parameters: ParameterStore, request: ScoreRequestV1): Float64Array {
  const { item, prompts } = modelProjectors(definition);
  const d = definition.latentDim;
  const itemTrace = mlpForward(item, parameters, toFloat64(request.items.data), request.items.rows);
  const promptInput = toFloat64(request.prompts.data);
  const promptTraces = prompts.map((layout) => mlpForward(layout, parameters, promptInput, request.prompts.rows));
  const { itemUnit } = normalizeRows(itemTrace.output, request.items.rows, d);
  const { scale } = logitScale(definition, parameters.get(LOG_LOGIT_SCALE)![0]!);
  const userLogits = parameters.get(USER_LOGITS)!;
  const rewards = new Float64Array(request.user.length);
  for (let row = 0; row < rewards.length; row++) {
    const { z } = mixPrompt(promptTraces, userLogits, request.user[row]!, request.promptIndex[row]!, definition.numPrototypes, d);
    const zNorm = Math.sqrt(dot(z, 0, z, 0, d) + NORM_EPSILON);
    rewards[row] = (scale * dot(itemUnit, request.itemIndex[row]! * d, z, 0, d)) / zNorm;
  }
  return rewards;
}

function mixPrompt(traces: MlpTrace[], userLogits: Float64Array, user: number, prompt: number, K: number, d: number): PromptMixture {
  const weights = softmax(userLogits, user * K, K);
  const z = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    const g = traces[k]!.output;
    const offset = prompt * d;
    for (let i = 0; i < d; i++) z[i]! += weights[k]! * g[offset + i]!;
  }
  return { z, weights };
}

/**
 * Bound loss on the prototype outputs: lambda * mean over comparisons of sum_k relu(||g_k(x_c)|| - bound).
 * Distinct prompts are weighted by how many comparisons use them, so the value does not depend on deduplication.
 */
function promptBoundLoss(
  definition: PalBModelDefinition,
  loss: LossSettings,
  traces: MlpTrace[],
  batch: ComparisonBatchV1,
  wantGradient: boolean,
): { value: number; gradients: (Float64Array | undefined)[] } {
  if (!loss.bound || loss.bound.weight === 0) return { value: 0, gradients: [] };
  const d = definition.latentDim;
  const uses = new Float64Array(batch.prompts.rows);
  for (const prompt of batch.promptIndex) uses[prompt]! += 1;
  const factor = loss.bound.weight / batch.label.length;
  let value = 0;
  const gradients = traces.map((trace) => {
    const gradient = wantGradient ? new Float64Array(trace.output.length) : undefined;
    for (let prompt = 0; prompt < batch.prompts.rows; prompt++) {
      if (uses[prompt] === 0) continue;
      const norm = Math.sqrt(dot(trace.output, prompt * d, trace.output, prompt * d, d));
      if (norm <= loss.bound!.bound) continue;
      value += factor * uses[prompt]! * (norm - loss.bound!.bound);
      if (gradient) for (let i = 0; i < d; i++) gradient[prompt * d + i] = (factor * uses[prompt]! * trace.output[prompt * d + i]!) / norm;
    }
    return gradient;
  });
  return { value, gradients };
}

/** Unit rows u = v / sqrt(||v||^2 + eps) and the norms used. */
export function normalizeRows(values: Float64Array, rows: number, cols: number): { itemUnit: Float64Array; itemNorm: Float64Array } {
  const itemUnit = new Float64Array(values.length);
  const itemNorm = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const offset = row * cols;
    const norm = Math.sqrt(dot(values, offset, values, offset, cols) + NORM_EPSILON);
    itemNorm[row] = norm;
    for (let i = 0; i < cols; i++) itemUnit[offset + i] = values[offset + i]! / norm;
  }
  return { itemUnit, itemNorm };
}

/** Backward of row normalisation: dv = (du - u <u, du>) / norm. */
export function normalizeRowsBackward(unit: Float64Array, norms: Float64Array, dUnit: Float64Array, rows: number, cols: number): Float64Array {
  const dValues = new Float64Array(unit.length);
  for (let row = 0; row < rows; row++) {
    const offset = row * cols;
    const projection = dot(unit, offset, dUnit, offset, cols);
    for (let i = 0; i < cols; i++) dValues[offset + i] = (dUnit[offset + i]! - unit[offset + i]! * projection) / norms[row]!;
  }
  return dValues;
}

/** Dot product of two strided slices. */
export function dot(a: ArrayLike<number>, aOffset: number, b: ArrayLike<number>, bOffset: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += a[aOffset + i]! * b[bOffset + i]!;
  return sum;
}
