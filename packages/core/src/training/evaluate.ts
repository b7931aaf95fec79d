import { validateEmbeddedComparisons, type EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { parseOptions } from '../util/parse-options.js';
import { evaluateOptionsSchema, type EvaluateOptionsInput } from './train-options.js';
import { optimizerSettingsSchema } from '../optim/optimizer-settings.js';
import { mixtureOfRow, type PalModel } from '../model/pal-model.js';
import type { ComputeBackendV1 } from '../spec/compute-backend/v1/compute-backend-v1.js';
import { userIndexMap, usersPresent } from './batching.js';
import { accuracyOf, assertDataMatchesDefinition, evaluationPass } from './evaluation-pass.js';

/** Accuracy of one user's comparisons. */
export interface UserAccuracy {
  accuracy: number;
  count: number;
}

/** What `evaluate()` returns. */
export interface EvaluationResult {
  /** Share of comparisons whose predicted winner is the labelled one. */
  accuracy: number;
  /** Mean pairwise loss. */
  loss: number;
  count: number;
  perUser: Record<string, UserAccuracy>;
  /** Mixture weights w_i = softmax(W_i) of each evaluated user. */
  mixtures: Record<string, number[]>;
}

/**
 * Accuracy of a model on comparisons whose users it knows: unseen pairs of seen users, or the test part
 * of localised users. Unknown users raise UnknownUserError: localise them (or add them zero-shot) first.
 */
export async function evaluate(input: {
  backend: ComputeBackendV1;
  model: PalModel;
  data: EmbeddedComparisons;
  options?: EvaluateOptionsInput;
}): Promise<EvaluationResult> {
  const options = parseOptions(evaluateOptionsSchema, input.options ?? {}, 'evaluate options');
  const data = validateEmbeddedComparisons(input.data, 'evaluation comparisons');
  assertDataMatchesDefinition(data, input.model.definition, 'evaluation comparisons');
  const { model } = await input.backend.doCreateModel({
    definition: input.model.definition,
    weights: input.model.weights,
    optimizer: optimizerSettingsSchema.parse({}),
    loss: options.loss,
    trainableGroups: [],
  });
  try {
    const userMap = userIndexMap(data.userIds, input.model.userIds);
    const pass = await evaluationPass(model, data, userMap, options.batchSize);
    const perUser: Record<string, UserAccuracy> = {};
    const correct = new Map<number, number>();
    const counts = new Map<number, number>();
    for (let row = 0; row < data.label.length; row++) {
      const user = data.user[row]!;
      counts.set(user, (counts.get(user) ?? 0) + 1);
      if (pass.logits[row]! > 0 === (data.label[row] === 1)) correct.set(user, (correct.get(user) ?? 0) + 1);
    }
    for (const [user, count] of counts) perUser[data.userIds[user]!] = { accuracy: (correct.get(user) ?? 0) / count, count };
    const mixtures: Record<string, number[]> = {};
    for (const id of usersPresent(data)) mixtures[id] = mixtureOfRow(input.model, input.model.userIds.indexOf(id));
    return { accuracy: accuracyOf(pass.logits, data.label), loss: pass.loss, count: data.label.length, perUser, mixtures };
  } finally {
    await model.doDispose();
  }
}
