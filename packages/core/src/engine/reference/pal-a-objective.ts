import type { PalAModelDefinition } from '../../model/model-definition.js';
import { PROTOTYPES, USER_LOGITS, modelProjectors } from '../../model/parameter-layout.js';
import type { LossSettings } from '../../losses/loss-settings.js';
import { batchPairwiseLoss } from '../../losses/batch-loss.js';
import type { Matrix } from '../../data/matrix.js';
import type { Random } from '../../random/random.js';
import type { ComparisonBatchV1, ScoreRequestV1 } from '../../spec/compute-backend/v1/comparison-batch-v1.js';
import { softmax, softmaxBackward } from './linear-algebra.js';
import { mlpBackward, mlpForward, type ParameterStore } from './mlp.js';
import { NORM_EPSILON, dot, type ObjectiveResult } from './pal-b-objective.js';

/** Model inputs of PAL-A: distinct item rows alone, or [item; prompt] rows when the model reads prompts. */
interface PalAInputs {
  input: Float64Array;
  rows: number;
  first: Int32Array;
  second: Int32Array;
}

/**
 * Rows fed to f. With promptDim = 0 the distinct items are used as they are; otherwise each
 * comparison's left and right item is joined with its prompt, the paper's f(x; x_c).
 */
function palAInputs(definition: PalAModelDefinition, prompts: Matrix, items: Matrix, promptIndex: Int32Array, first: Int32Array, second?: Int32Array): PalAInputs {
  if (definition.promptDim === 0) {
    return { input: Float64Array.from(items.data), rows: items.rows, first, second: second ?? first };
  }
  const width = definition.itemDim + definition.promptDim;
  const count = first.length;
  const sides = second ? 2 : 1;
  const input = new Float64Array(count * sides * width);
  const firstRows = new Int32Array(count);
  const secondRows = new Int32Array(count);
  for (let row = 0; row < count; row++) {
    const prompt = prompts.data.subarray(promptIndex[row]! * prompts.cols, (promptIndex[row]! + 1) * prompts.cols);
    for (let side = 0; side < sides; side++) {
      const itemRow = (side === 0 ? first : second!)[row]!;
      const target = (row * sides + side) * width;
      input.set(items.data.subarray(itemRow * items.cols, (itemRow + 1) * items.cols), target);
      input.set(prompt, target + definition.itemDim);
      (side === 0 ? firstRows : secondRows)[row] = row * sides + side;
    }
  }
  return { input, rows: count * sides, first: firstRows, second: second ? secondRows : firstRows };
}

/** Ideal points a_u = P^T softmax(W_u) for the given users. */
function idealPoints(definition: PalAModelDefinition, parameters: ParameterStore, users: number[]): { points: Float64Array; weights: Float64Array[] } {
  const K = definition.numPrototypes;
  const width = definition.itemDim + definition.promptDim;
  const prototypes = parameters.get(PROTOTYPES)!;
  const userLogits = parameters.get(USER_LOGITS)!;
  const points = new Float64Array(users.length * width);
  const weights = users.map((user, index) => {
    const w = softmax(userLogits, user * K, K);
    for (let k = 0; k < K; k++) for (let i = 0; i < width; i++) points[index * width + i]! += w[k]! * prototypes[k * width + i]!;
    return w;
  });
  return { points, weights };
}

/** Reward and d reward / d (squared distance) for one distance. */
function headReward(definition: PalAModelDefinition, squaredDistance: number): { reward: number; derivative: number } {
  if (definition.head === 'squared-euclidean') return { reward: -squaredDistance, derivative: -1 };
  const distance = Math.sqrt(squaredDistance + NORM_EPSILON);
  return { reward: -distance, derivative: -0.5 / distance };
}

/**
 * PAL-A forward pass (eq. 4): f on the inputs and on each batch user's ideal point, reward = minus the
 * (squared) distance between them. With `gradients` it also runs the analytic backward pass.
 */
export function palAObjective(
  definition: PalAModelDefinition,
  parameters: ParameterStore,
  batch: ComparisonBatchV1,
  loss: LossSettings,
  options: { random?: Random; gradients?: ParameterStore },
): ObjectiveResult {
  const { item } = modelProjectors(definition);
  const d = definition.latentDim;
  const K = definition.numPrototypes;
  const width = definition.itemDim + definition.promptDim;
  const count = batch.label.length;
  const inputs = palAInputs(definition, batch.prompts, batch.items, batch.promptIndex, batch.leftIndex, batch.rightIndex);
  const users = [...new Set(batch.user)];
  const userSlot = new Map(users.map((user, index) => [user, index]));
  const { points, weights } = idealPoints(definition, parameters, users);
  const inputTrace = mlpForward(item, parameters, inputs.input, inputs.rows, options.random);
  const pointTrace = mlpForward(item, parameters, points, users.length, options.random);
  const fx = inputTrace.output;
  const fa = pointTrace.output;

  const logits = new Float64Array(count);
  const heads: { derivative: number }[] = [];
  for (let row = 0; row < count; row++) {
    const slot = userSlot.get(batch.user[row]!)! * d;
    const left = headReward(definition, squaredDistance(fx, inputs.first[row]! * d, fa, slot, d));
    const right = headReward(definition, squaredDistance(fx, inputs.second[row]! * d, fa, slot, d));
    heads.push({ derivative: left.derivative }, { derivative: right.derivative });
    logits[row] = left.reward - right.reward;
  }
  const objective = batchPairwiseLoss(logits, batch.label, batch.weight, loss);
  const prototypes = parameters.get(PROTOTYPES)!;
  let boundValue = 0;
  if (loss.bound && loss.bound.weight > 0) {
    for (let k = 0; k < K; k++) {
      const norm = Math.sqrt(dot(prototypes, k * width, prototypes, k * width, width));
      if (norm > loss.bound.bound) boundValue += loss.bound.weight * (norm - loss.bound.bound);
    }
  }
  const result = { loss: objective.loss + boundValue, logits };
  if (!options.gradients) return result;

  const gradients = options.gradients;
  const dFx = new Float64Array(fx.length);
  const dFa = new Float64Array(fa.length);
  for (let row = 0; row < count; row++) {
    const dLogit = objective.logitGradient[row]!;
    if (dLogit === 0) continue;
    const slot = userSlot.get(batch.user[row]!)! * d;
    // logit = r_left - r_right and r = h(||fx - fa||^2): d/d fx = 2 h' (fx - fa) * (+-dLogit).
    const sides: [number, number][] = [
      [inputs.first[row]! * d, dLogit * heads[2 * row]!.derivative],
      [inputs.second[row]! * d, -dLogit * heads[2 * row + 1]!.derivative],
    ];
    for (const [offset, coefficient] of sides) {
      for (let i = 0; i < d; i++) {
        const g = 2 * coefficient * (fx[offset + i]! - fa[slot + i]!);
        dFx[offset + i]! += g;
        dFa[slot + i]! -= g;
      }
    }
  }
  mlpBackward(item, parameters, gradients, inputTrace, dFx, false);
  const dPoints = mlpBackward(item, parameters, gradients, pointTrace, dFa, true)!;
  const dPrototypes = gradients.get(PROTOTYPES)!;
  const dUserLogits = gradients.get(USER_LOGITS)!;
  users.forEach((user, index) => {
    const w = weights[index]!;
    const dw = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      dw[k] = dot(prototypes, k * width, dPoints, index * width, width);
      for (let i = 0; i < width; i++) dPrototypes[k * width + i]! += w[k]! * dPoints[index * width + i]!;
    }
    softmaxBackward(w, dw, dUserLogits, user * K);
  });
  if (loss.bound && loss.bound.weight > 0) {
    for (let k = 0; k < K; k++) {
      const norm = Math.sqrt(dot(prototypes, k * width, prototypes, k * width, width));
      if (norm <= loss.bound.bound) continue;
      for (let i = 0; i < width; i++) dPrototypes[k * width + i]! += (loss.bound.weight * prototypes[k * width + i]!) / norm;
    }
  }
  return result;
}

/** PAL-A rewards r = -dist(f(x; x_c), f(a_u)) for score requests. */
export function palAScore(definition: PalAModelDefinition, parameters: ParameterStore, request: ScoreRequestV1): Float64Array {
  const { item } = modelProjectors(definition);
  const d = definition.latentDim;
  const inputs = palAInputs(definition, request.prompts, request.items, request.promptIndex, request.itemIndex);
  const users = [...new Set(request.user)];
  const userSlot = new Map(users.map((user, index) => [user, index]));
  const fx = mlpForward(item, parameters, inputs.input, inputs.rows).output;
  const fa = mlpForward(item, parameters, idealPoints(definition, parameters, users).points, users.length).output;
  const rewards = new Float64Array(request.user.length);
  for (let row = 0; row < rewards.length; row++) {
    const slot = userSlot.get(request.user[row]!)! * d;
    rewards[row] = headReward(definition, squaredDistance(fx, inputs.first[row]! * d, fa, slot, d)).reward;
  }
  return rewards;
}

function squaredDistance(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const difference = a[aOffset + i]! - b[bOffset + i]!;
    sum += difference * difference;
  }
  return sum;
}
