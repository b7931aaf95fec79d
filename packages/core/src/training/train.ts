import { validateEmbeddedComparisons, type EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { NumericalError, TrainingAbortedError } from '../errors/errors.js';
import { comparisonWeights } from '../losses/pairwise-loss.js';
import { initializeWeights } from '../model/initialize-weights.js';
import { parseModelDefinition, type ModelDefinitionInput } from '../model/model-definition.js';
import { cloneWeights, type NamedWeights } from '../model/named-weights.js';
import type { PalModel } from '../model/pal-model.js';
import { parameterGroupSchema } from '../model/parameter-layout.js';
import { Random } from '../random/random.js';
import type { ComparisonBatchV1 } from '../spec/compute-backend/v1/comparison-batch-v1.js';
import type { BackendModelV1, ComputeBackendV1, TrainStepOptionsV1 } from '../spec/compute-backend/v1/compute-backend-v1.js';
import { parseOptions } from '../util/parse-options.js';
import { buildBatch, userIndexMap, usersPresent } from './batching.js';
import { accuracyOf, assertDataMatchesDefinition, evaluationPass } from './evaluation-pass.js';
import { resolveStepsPerCall, trainOptionsSchema, type TrainOptionsInput } from './train-options.js';

/** One line of the training history, reported after each epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  validationLoss?: number;
  validationAccuracy?: number;
  elapsedMs: number;
}

/** Progress callback payload: the epoch just finished, or a step within it. */
export type TrainProgress = { kind: 'step'; epoch: number; step: number; stepsPerEpoch: number; loss: number } | ({ kind: 'epoch'; epochs: number } & EpochRecord);

/** Inputs of `train()`. */
export interface TrainInput {
  backend: ComputeBackendV1;
  definition: ModelDefinitionInput;
  train: EmbeddedComparisons;
  /** Held-out comparisons of the same users, for model selection and early stopping. */
  validation?: EmbeddedComparisons;
  options?: TrainOptionsInput;
  /** Start from these weights instead of a seeded initialisation (fine-tuning, resuming). */
  initialWeights?: NamedWeights;
  onProgress?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

/** What `train()` returns: the selected model and how the run went. */
export interface TrainResult {
  model: PalModel;
  history: EpochRecord[];
  /** Epoch whose weights were kept (lowest validation loss, or the last epoch without validation). */
  bestEpoch: number;
  warnings: string[];
  backend: { name: string; engine: string; device: string };
}

/**
 * Trains a PAL model on pooled comparisons: shuffled minibatches, AdamW with parameter groups, and the
 * epoch with the lowest validation loss kept. The model's users are the users present in `train`.
 */
export async function train(input: TrainInput): Promise<TrainResult> {
  const definition = parseModelDefinition(input.definition);
  const options = parseOptions(trainOptionsSchema, input.options ?? {}, 'train options');
  const trainData = validateEmbeddedComparisons(input.train, 'training comparisons');
  const validationData = input.validation ? validateEmbeddedComparisons(input.validation, 'validation comparisons') : undefined;
  assertDataMatchesDefinition(trainData, definition, 'training comparisons');
  if (validationData) assertDataMatchesDefinition(validationData, definition, 'validation comparisons');

  const userIds = usersPresent(trainData);
  const trainUserMap = userIndexMap(trainData.userIds, userIds);
  const validationUserMap = validationData ? userIndexMap(validationData.userIds, userIds) : undefined;
  const trainWeights = comparisonWeights(trainData.user, options.loss.weighting);
  const validationWeights = validationData ? comparisonWeights(validationData.user, options.loss.weighting) : undefined;
  const random = new Random(options.seed);
  const weights = input.initialWeights ? cloneWeights(input.initialWeights) : initializeWeights(definition, userIds.length, random.fork());

  const { model, warnings } = await input.backend.doCreateModel({
    definition,
    weights,
    optimizer: options.optimizer,
    loss: options.loss,
    trainableGroups: [...parameterGroupSchema.options],
  });
  const history: EpochRecord[] = [];
  const started = Date.now();
  let best = { loss: Infinity, epoch: 0, weights: undefined as NamedWeights | undefined };
  let step = 0;
  try {
    const order = Int32Array.from({ length: trainData.label.length }, (_, index) => index);
    const stepsPerEpoch = Math.ceil(order.length / options.batchSize);
    const stepsPerCall = resolveStepsPerCall(options);
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      random.shuffle(order);
      let lossSum = 0;
      for (let first = 0; first < stepsPerEpoch; first += stepsPerCall) {
        throwIfAborted(input.signal);
        const group: { batch: ComparisonBatchV1; options: TrainStepOptionsV1 }[] = [];
        for (let index = first; index < Math.min(first + stepsPerCall, stepsPerEpoch); index++) {
          const rows = order.subarray(index * options.batchSize, (index + 1) * options.batchSize);
          group.push({ batch: buildBatch(trainData, rows, trainUserMap, trainWeights), options: { step: ++step, seed: random.fork() } });
        }
        const losses = await runSteps(model, group);
        losses.forEach((loss, offset) => {
          if (!Number.isFinite(loss)) throw new NumericalError(`training diverged: loss is ${loss} at epoch ${epoch}, step ${first + offset + 1}; lower the learning rates`);
          lossSum += loss;
          input.onProgress?.({ kind: 'step', epoch, step: first + offset + 1, stepsPerEpoch, loss });
        });
      }
      const record: EpochRecord = { epoch, trainLoss: lossSum / stepsPerEpoch, elapsedMs: Date.now() - started };
      if (validationData) {
        const pass = await evaluationPass(model, validationData, validationUserMap!, options.evaluationBatchSize, validationWeights);
        record.validationLoss = pass.loss;
        record.validationAccuracy = accuracyOf(pass.logits, validationData.label);
      }
      history.push(record);
      input.onProgress?.({ kind: 'epoch', epochs: options.epochs, ...record });
      const selectionLoss = record.validationLoss ?? record.trainLoss;
      if (selectionLoss < best.loss - (options.earlyStopping?.minDelta ?? 0)) {
        best = { loss: selectionLoss, epoch, weights: validationData ? await model.doExportWeights() : undefined };
      } else if (options.earlyStopping && epoch - best.epoch >= options.earlyStopping.patience) {
        break;
      }
    }
    const finalWeights = validationData && best.weights ? best.weights : await model.doExportWeights();
    return {
      model: { definition, weights: finalWeights, userIds },
      history,
      bestEpoch: validationData ? best.epoch : history.length,
      warnings,
      backend: { name: input.backend.name, ...input.backend.describe() },
    };
  } finally {
    await model.doDispose();
  }
}

async function runSteps(model: BackendModelV1, group: { batch: ComparisonBatchV1; options: TrainStepOptionsV1 }[]): Promise<number[]> {
  if (group.length > 1 && model.doTrainSteps) {
    return (await model.doTrainSteps(group.map((item) => item.batch), group.map((item) => item.options))).losses;
  }
  const losses: number[] = [];
  for (const item of group) losses.push((await model.doTrainStep(item.batch, item.options)).loss);
  return losses;
}

/** Throws TrainingAbortedError when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TrainingAbortedError('training was aborted', { cause: signal.reason });
}
