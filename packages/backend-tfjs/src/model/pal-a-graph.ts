import { NORM_EPSILON, PROTOTYPES, USER_LOGITS, modelProjectors, type ComparisonBatchV1, type LossSettings, type Matrix, type PalAModelDefinition, type ScoreRequestV1 } from '@pal/core';
import type { Tensor, Tensor1D, Tensor2D, TfjsModule } from '../engine/tfjs-module.js';
import { assertMatrixWidth, indexTensor, lossInputs, matrixTensor, userSlots } from './batch-tensors.js';
import { gatherRows } from './gather-rows.js';
import { denseLayer, mlpHidden } from './mlp-forward.js';
import { pairwiseLossGraph } from './pairwise-loss-graph.js';
import type { ObjectiveGraph } from './pal-b-graph.js';

/** Which rows of a request PAL-A scores: one item index array per side (left and right, or the scored item). */
interface PalARows {
  prompts: Matrix;
  items: Matrix;
  promptIndex: Int32Array;
  sides: Int32Array[];
  user: Int32Array;
}

/** Model inputs (distinct items, or [item; prompt] rows for every side) and each side's rows among them. */
function palAInputs(tf: TfjsModule, definition: PalAModelDefinition, rows: PalARows): { input: Tensor2D; sides: Tensor1D[] } {
  assertMatrixWidth(rows.items, definition.itemDim, 'PAL-A items');
  const items = matrixTensor(tf, rows.items);
  if (definition.promptDim === 0) return { input: items, sides: rows.sides.map((side) => indexTensor(tf, side)) };
  assertMatrixWidth(rows.prompts, definition.promptDim, 'PAL-A prompts');
  const count = rows.user.length;
  const promptRows = tf.gather(matrixTensor(tf, rows.prompts), indexTensor(tf, rows.promptIndex));
  const input = tf.concat(rows.sides.map((side) => tf.concat([tf.gather(items, indexTensor(tf, side)), promptRows], 1)), 0) as Tensor2D;
  return { input, sides: rows.sides.map((_, index) => tf.range(index * count, (index + 1) * count, 1, 'int32') as Tensor1D) };
}

/**
 * f(x) - f(a_u) for each side's rows, where a_u = P^T softmax(W_u) is the row user's ideal point (eq. 5).
 * The final Linear layer is applied to the difference of the hidden activations, so its bias cancels
 * exactly: computed apart, the two float32 sums leave a rounding residue in the bias gradient that
 * Adam's normalisation would turn into steps of the full learning rate.
 */
function palADifferences(tf: TfjsModule, definition: PalAModelDefinition, parameters: Map<string, Tensor>, rows: PalARows, nextSeed?: () => number): Tensor2D[] {
  const { item } = modelProjectors(definition);
  const { input, sides } = palAInputs(tf, definition, rows);
  const { distinct, slot } = userSlots(rows.user);
  const mixture = tf.softmax(gatherRows(tf, parameters.get(USER_LOGITS)! as Tensor2D, indexTensor(tf, distinct)));
  const points = tf.matMul(mixture, parameters.get(PROTOTYPES)! as Tensor2D) as Tensor2D;
  const inputHidden = mlpHidden(tf, item, parameters, input, { nextSeed, constantInput: true });
  const pointHidden = mlpHidden(tf, item, parameters, points, { nextSeed, constantInput: false });
  const userRows = indexTensor(tf, slot);
  const pointRows = gatherRows(tf, pointHidden, userRows);
  const last = item.layers.at(-1)!;
  return sides.map((side) => {
    const difference = denseLayer(tf, last, parameters, tf.sub(gatherRows(tf, inputHidden, side), pointRows), { withBias: false });
    return item.spec.residual ? tf.add(difference, tf.sub(tf.gather(input, side), gatherRows(tf, points, userRows))) : difference;
  });
}

/** Eq. 4: r = -||f(x) - f(a_u)||^2, or minus the plain distance for the `euclidean` head. */
function headRewards(tf: TfjsModule, definition: PalAModelDefinition, difference: Tensor2D): Tensor1D {
  const squaredDistance = tf.sum(tf.square(difference), 1);
  return tf.neg(definition.head === 'squared-euclidean' ? squaredDistance : tf.sqrt(tf.add(squaredDistance, NORM_EPSILON))) as Tensor1D;
}

/** Bound loss on the prototypes, lambda * sum_k relu(||P_k|| - bound). */
function prototypeBoundLoss(tf: TfjsModule, loss: LossSettings, parameters: Map<string, Tensor>): Tensor | undefined {
  if (!loss.bound || loss.bound.weight === 0) return undefined;
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(parameters.get(PROTOTYPES)!), 1), NORM_EPSILON));
  return tf.mul(tf.sum(tf.relu(tf.sub(norms, loss.bound.bound))), loss.bound.weight);
}

/** PAL-A objective (eq. 4-5): logits r_left - r_right, the pairwise loss and the optional bound loss. */
export function palAObjectiveGraph(
  tf: TfjsModule,
  definition: PalAModelDefinition,
  parameters: Map<string, Tensor>,
  batch: ComparisonBatchV1,
  loss: LossSettings,
  nextSeed?: () => number,
): ObjectiveGraph {
  const rows = { prompts: batch.prompts, items: batch.items, promptIndex: batch.promptIndex, sides: [batch.leftIndex, batch.rightIndex], user: batch.user };
  const [left, right] = palADifferences(tf, definition, parameters, rows, nextSeed);
  const logits = tf.sub(headRewards(tf, definition, left!), headRewards(tf, definition, right!)) as Tensor1D;
  const { sign, share } = lossInputs(tf, batch.label, batch.weight);
  const pairwise = pairwiseLossGraph(tf, loss, logits, sign, share);
  const bound = prototypeBoundLoss(tf, loss, parameters);
  return { loss: bound ? tf.add(pairwise, bound) : pairwise, logits };
}

/** PAL-A rewards r = -dist(f(x; x_c), f(a_u)) for score requests. */
export function palAScoreGraph(tf: TfjsModule, definition: PalAModelDefinition, parameters: Map<string, Tensor>, request: ScoreRequestV1): Tensor1D {
  const rows = { prompts: request.prompts, items: request.items, promptIndex: request.promptIndex, sides: [request.itemIndex], user: request.user };
  return headRewards(tf, definition, palADifferences(tf, definition, parameters, rows)[0]!);
}
