import { LOG_LOGIT_SCALE, NORM_EPSILON, USER_LOGITS, modelProjectors, type ComparisonBatchV1, type LossSettings, type Matrix, type PalBModelDefinition, type ScoreRequestV1 } from '@pal/core';
import type { Scalar, Tensor, Tensor1D, Tensor2D, TfjsModule } from '../engine/tfjs-module.js';
import { assertMatrixWidth, indexTensor, lossInputs, matrixTensor } from './batch-tensors.js';
import { gatherRows } from './gather-rows.js';
import { mlpForward } from './mlp-forward.js';
import { pairwiseLossGraph } from './pairwise-loss-graph.js';


/** Loss and logits r_left - r_right of one batch, as tensors (call inside tf.tidy). */
export interface ObjectiveGraph {
  loss: Scalar;
  logits: Tensor1D;
}

/** Rows divided by their norm. */
export function normalizeRows(tf: TfjsModule, values: Tensor2D): Tensor2D {
  return tf.div(values, tf.sqrt(tf.add(tf.sum(tf.square(values), 1, true), NORM_EPSILON)));
}

/** f on the distinct items (unit rows) and each g_k on the distinct prompts. */
function palBEmbeddings(tf: TfjsModule, definition: PalBModelDefinition, parameters: Map<string, Tensor>, prompts: Matrix, items: Matrix, nextSeed?: () => number) {
  assertMatrixWidth(items, definition.itemDim, 'PAL-B items');
  assertMatrixWidth(prompts, definition.promptDim, 'PAL-B prompts');
  const { item, prompts: promptLayouts } = modelProjectors(definition);
  const itemUnit = normalizeRows(tf, mlpForward(tf, item, parameters, matrixTensor(tf, items), nextSeed));
  const promptInput = matrixTensor(tf, prompts);
  const promptOutputs = promptLayouts.map((layout) => mlpForward(tf, layout, parameters, promptInput, nextSeed));
  return { itemUnit, promptOutputs };
}

/** Unit z_u(x_c) = sum_k w_uk g_k(x_c), normalised, for each (prompt, user) row. */
function unitMixtures(tf: TfjsModule, parameters: Map<string, Tensor>, promptOutputs: Tensor2D[], promptIndex: Tensor1D, user: Tensor1D): Tensor2D {
  const perRow = gatherRows(tf, tf.stack(promptOutputs, 1), promptIndex);
  const weights = gatherRows(tf, tf.softmax(parameters.get(USER_LOGITS)!), user);
  return normalizeRows(tf, tf.sum(tf.mul(perRow, tf.expandDims(weights, 2)), 1));
}

/**
 * The logit scale s = exp(min(l, ln maxLogitScale)): no gradient once clamped. (tf.where would need a
 * comparison op on the gradient path, and tfjs has no gradient for those.)
 */
function logitScale(tf: TfjsModule, definition: PalBModelDefinition, parameters: Map<string, Tensor>): Tensor {
  return tf.exp(tf.minimum(parameters.get(LOG_LOGIT_SCALE)!, Math.log(definition.maxLogitScale)));
}

/**
 * Bound loss on the prototype outputs, lambda * mean over comparisons of sum_k relu(||g_k(x_c)|| - bound):
 * distinct prompts are weighted by how many comparisons use them, as the reference engine does.
 */
function promptBoundLoss(tf: TfjsModule, loss: LossSettings, promptOutputs: Tensor2D[], batch: ComparisonBatchV1): Tensor | undefined {
  if (!loss.bound || loss.bound.weight === 0) return undefined;
  const factor = loss.bound.weight / batch.label.length;
  const counts = new Float64Array(batch.prompts.rows);
  for (const prompt of batch.promptIndex) counts[prompt]! += 1;
  const uses = tf.tensor1d(Float32Array.from(counts, (count) => count * factor));
  const bound = loss.bound.bound;
  const terms = promptOutputs.map((output) => tf.sum(tf.mul(uses, tf.relu(tf.sub(tf.sqrt(tf.add(tf.sum(tf.square(output), 1), NORM_EPSILON)), bound)))));
  return tf.addN(terms);
}

/** PAL-B objective (eq. 6-7): r = s * cos(f(x), z_u(x_c)), the pairwise loss and the optional bound loss. */
export function palBObjectiveGraph(
  tf: TfjsModule,
  definition: PalBModelDefinition,
  parameters: Map<string, Tensor>,
  batch: ComparisonBatchV1,
  loss: LossSettings,
  nextSeed?: () => number,
): ObjectiveGraph {
  const { itemUnit, promptOutputs } = palBEmbeddings(tf, definition, parameters, batch.prompts, batch.items, nextSeed);
  const z = unitMixtures(tf, parameters, promptOutputs, indexTensor(tf, batch.promptIndex), indexTensor(tf, batch.user));
  const cosine = (index: Int32Array) => tf.sum(tf.mul(gatherRows(tf, itemUnit, indexTensor(tf, index)), z), 1);
  const logits = tf.mul(logitScale(tf, definition, parameters), tf.sub(cosine(batch.leftIndex), cosine(batch.rightIndex))) as Tensor1D;
  const { sign, share } = lossInputs(tf, batch.label, batch.weight);
  const pairwise = pairwiseLossGraph(tf, loss, logits, sign, share);
  const bound = promptBoundLoss(tf, loss, promptOutputs, batch);
  return { loss: bound ? tf.add(pairwise, bound) : pairwise, logits };
}

/** PAL-B rewards r = s * cos(f(x), z_u(x_c)) for score requests. */
export function palBScoreGraph(tf: TfjsModule, definition: PalBModelDefinition, parameters: Map<string, Tensor>, request: ScoreRequestV1): Tensor1D {
  const { itemUnit, promptOutputs } = palBEmbeddings(tf, definition, parameters, request.prompts, request.items);
  const z = unitMixtures(tf, parameters, promptOutputs, indexTensor(tf, request.promptIndex), indexTensor(tf, request.user));
  const cosine = tf.sum(tf.mul(tf.gather(itemUnit, indexTensor(tf, request.itemIndex)), z), 1);
  return tf.mul(logitScale(tf, definition, parameters), cosine) as Tensor1D;
}
