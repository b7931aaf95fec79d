import type { ModelDefinition } from './model-definition.js';
import type { NamedWeights } from './named-weights.js';
import { USER_LOGITS } from './parameter-layout.js';
import { UnknownUserError } from '../errors/errors.js';

/**
 * A trained PAL model as plain data: the definition, weights in core's layout and the user ids whose
 * rows `userLogits` holds, in order. This is what training returns, checkpoints store and scoring reads.
 */
export interface PalModel {
  definition: ModelDefinition;
  weights: NamedWeights;
  userIds: string[];
}

/** The mixture weights w_i = softmax(W_i) of one user. */
export function userMixture(model: PalModel, userId: string): number[] {
  const index = model.userIds.indexOf(userId);
  if (index < 0) throw new UnknownUserError(`user "${userId}" is not in this model (${model.userIds.length} users); localise the user first`);
  return mixtureOfRow(model, index);
}

/** Softmax of row `index` of the user logits. */
export function mixtureOfRow(model: PalModel, index: number): number[] {
  const K = model.definition.numPrototypes;
  const logits = model.weights[USER_LOGITS]!.data.subarray(index * K, (index + 1) * K);
  const max = Math.max(...logits);
  const exps = Array.from(logits, (value) => Math.exp(value - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / sum);
}

/**
 * Logits whose softmax is the population-average mixture of the model's users: the zero-shot ideal
 * point for a new user with no data (paper section 2.2).
 */
export function populationAverageLogits(model: PalModel): Float32Array {
  const K = model.definition.numPrototypes;
  const average = new Array<number>(K).fill(0);
  for (let index = 0; index < model.userIds.length; index++) {
    mixtureOfRow(model, index).forEach((weight, k) => (average[k] += weight / model.userIds.length));
  }
  return Float32Array.from(average, (weight) => Math.log(Math.max(weight, 1e-30)));
}

/** A copy of `model` whose user table is replaced by `userIds` with the given logits (row-major, K per user). */
export function withUsers(model: PalModel, userIds: string[], logits: Float32Array): PalModel {
  return {
    definition: model.definition,
    weights: { ...model.weights, [USER_LOGITS]: { shape: [userIds.length, model.definition.numPrototypes], data: logits } },
    userIds,
  };
}

/** Appends users (replacing any existing rows with the same ids) and returns a new model. */
export function mergeUsers(model: PalModel, userIds: string[], logits: Float32Array): PalModel {
  const K = model.definition.numPrototypes;
  const replaced = new Set(userIds);
  const keptIds: string[] = [];
  const kept: number[] = [];
  const existing = model.weights[USER_LOGITS]!.data;
  model.userIds.forEach((id, index) => {
    if (replaced.has(id)) return;
    keptIds.push(id);
    for (let k = 0; k < K; k++) kept.push(existing[index * K + k]!);
  });
  const merged = new Float32Array(kept.length + logits.length);
  merged.set(kept);
  merged.set(logits, kept.length);
  return withUsers(model, [...keptIds, ...userIds], merged);
}
