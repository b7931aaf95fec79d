import { validateEmbeddedComparisons, type EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { InvalidArgumentError, NumericalError } from '../errors/errors.js';
import { pairwiseLoss } from '../losses/pairwise-loss.js';
import type { LossSettings } from '../losses/loss-settings.js';
import { initializeUserLogits } from '../model/initialize-weights.js';
import { mergeUsers, populationAverageLogits, type PalModel } from '../model/pal-model.js';
import { USER_LOGITS } from '../model/parameter-layout.js';
import { optimizerSettingsSchema } from '../optim/optimizer-settings.js';
import { Random } from '../random/random.js';
import type { ComputeBackendV1 } from '../spec/compute-backend/v1/compute-backend-v1.js';
import { parseOptions } from '../util/parse-options.js';
import { buildBatch, userIndexMap, usersPresent } from './batching.js';
import { assertDataMatchesDefinition } from './evaluation-pass.js';
import { localizeOptionsSchema, type LocalizeOptionsInput } from './train-options.js';
import { throwIfAborted } from './train.js';

/** Inputs of `localize()`. */
export interface LocalizeInput {
  backend: ComputeBackendV1;
  model: PalModel;
  /** Comparisons of the users to localise (the N shots); users already in the model are re-localised. */
  data: EmbeddedComparisons;
  options?: LocalizeOptionsInput;
  signal?: AbortSignal;
}

/** What `localize()` returns. */
export interface LocalizeResult {
  /** The input model with the localised users added (or replaced). */
  model: PalModel;
  userIds: string[];
  /** Step whose logits were kept, per user (selected on that user's held-out comparisons). */
  selectedStep: Record<string, number>;
  warnings: string[];
}

/**
 * Few-shot localisation of new users (paper section 2.2): everything shared is frozen and only the new
 * users' mixture logits learn from their N comparisons. A share of each user's comparisons is held out
 * and each user keeps the logits of the step with the lowest held-out loss (the authors selected on the
 * test set; we never do).
 */
export async function localize(input: LocalizeInput): Promise<LocalizeResult> {
  const options = parseOptions(localizeOptionsSchema, input.options ?? {}, 'localize options');
  const data = validateEmbeddedComparisons(input.data, 'localisation comparisons');
  const { definition } = input.model;
  assertDataMatchesDefinition(data, definition, 'localisation comparisons');
  const userIds = usersPresent(data);
  const K = definition.numPrototypes;
  const random = new Random(options.seed);
  const initialLogits = initializeUserLogits(userIds.length, K, random.fork());
  if (K === 1) {
    // One prototype: w = 1 for everyone, there is nothing to learn.
    return { model: mergeUsers(input.model, userIds, initialLogits), userIds, selectedStep: Object.fromEntries(userIds.map((id) => [id, 0])), warnings: [] };
  }
  const userMap = userIndexMap(data.userIds, userIds);
  const { trainRows, validationRows } = splitPerUser(data, options.validationFraction, random);
  if (trainRows.length === 0) throw new InvalidArgumentError('localisation needs at least one training comparison per user; all were held out');

  const optimizer = optimizerSettingsSchema.parse({ groups: { userWeights: { learningRate: options.learningRate, weightDecay: 0 } } });
  const { model, warnings } = await input.backend.doCreateModel({
    definition,
    weights: { ...input.model.weights, [USER_LOGITS]: { shape: [userIds.length, K], data: initialLogits } },
    optimizer,
    loss: options.loss,
    trainableGroups: ['userWeights'],
  });
  try {
    const trainBatch = buildBatch(data, trainRows, userMap);
    const validationBatch = validationRows.length > 0 ? buildBatch(data, validationRows, userMap) : undefined;
    await model.doPrepareBatches?.(validationBatch ? [trainBatch, validationBatch] : [trainBatch]);
    const best = userIds.map(() => ({ loss: Infinity, step: 0, logits: initialLogits.slice(0, K) }));
    const record = async (step: number) => {
      const logits = (await model.doExportWeights())[USER_LOGITS]!.data;
      const losses = validationBatch ? perUserLoss(validationBatch.user, validationBatch.label, (await model.doEvaluate(validationBatch)).logits, userIds.length, options.loss) : undefined;
      userIds.forEach((_, user) => {
        // Users without held-out comparisons keep their latest logits.
        const loss = losses?.[user] ?? Number.NaN;
        if (Number.isNaN(loss) ? step >= best[user]!.step : loss < best[user]!.loss) {
          best[user] = { loss: Number.isNaN(loss) ? Infinity : loss, step, logits: logits.slice(user * K, (user + 1) * K) };
        }
      });
    };
    for (let step = 1; step <= options.steps; step++) {
      throwIfAborted(input.signal);
      const { loss } = await model.doTrainStep(trainBatch, { step, seed: random.fork() });
      if (!Number.isFinite(loss)) throw new NumericalError(`localisation diverged: loss is ${loss} at step ${step}; lower the learning rate`);
      if (step % options.evaluateEvery === 0 || step === options.steps) await record(step);
    }
    const logits = new Float32Array(userIds.length * K);
    best.forEach((entry, user) => logits.set(entry.logits, user * K));
    return {
      model: mergeUsers(input.model, userIds, logits),
      userIds,
      selectedStep: Object.fromEntries(userIds.map((id, user) => [id, best[user]!.step])),
      warnings,
    };
  } finally {
    await model.doDispose();
  }
}

/** Zero-shot users: new users with no data get the population-average mixture of the model's users. */
export function addZeroShotUsers(model: PalModel, userIds: string[]): PalModel {
  const average = populationAverageLogits(model);
  const logits = new Float32Array(userIds.length * average.length);
  userIds.forEach((_, index) => logits.set(average, index * average.length));
  return mergeUsers(model, userIds, logits);
}

/** Holds out `fraction` of each user's comparisons (at least one when the user has two or more). */
function splitPerUser(data: EmbeddedComparisons, fraction: number, random: Random): { trainRows: Int32Array; validationRows: Int32Array } {
  const rowsByUser = new Map<number, number[]>();
  data.user.forEach((user, row) => {
    const rows = rowsByUser.get(user) ?? [];
    rows.push(row);
    rowsByUser.set(user, rows);
  });
  const trainRows: number[] = [];
  const validationRows: number[] = [];
  for (const rows of rowsByUser.values()) {
    random.shuffle(rows);
    const held = fraction > 0 && rows.length >= 2 ? Math.max(1, Math.floor(rows.length * fraction)) : 0;
    validationRows.push(...rows.slice(0, held));
    trainRows.push(...rows.slice(held));
  }
  return { trainRows: Int32Array.from(trainRows), validationRows: Int32Array.from(validationRows) };
}

function perUserLoss(users: Int32Array, labels: Int8Array, logits: Float32Array, numUsers: number, loss: LossSettings): number[] {
  const sums = new Array<number>(numUsers).fill(0);
  const counts = new Array<number>(numUsers).fill(0);
  for (let row = 0; row < users.length; row++) {
    const sign = labels[row] === 1 ? 1 : -1;
    sums[users[row]!] += pairwiseLoss(loss, sign * logits[row]!).value;
    counts[users[row]!] += 1;
  }
  return sums.map((sum, user) => (counts[user] === 0 ? Number.NaN : sum / counts[user]!));
}
