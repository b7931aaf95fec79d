import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../engine/reference/reference-backend.js';
import { DimensionMismatchError, TrainingAbortedError, UnknownUserError } from '../errors/errors.js';
import { generateSyntheticPreferences } from '../synthetic/synthetic-preferences.js';
import { USER_LOGITS } from '../model/parameter-layout.js';
import { createRewardModel } from '../scoring/reward-model.js';
import { addZeroShotUsers, localize } from './localize.js';
import { evaluate } from './evaluate.js';
import { train } from './train.js';

const data = generateSyntheticPreferences({ dimension: 4, numPrototypes: 2, numUsers: 6, pairsPerUser: 30, heldOutPairsPerUser: 10, numUnseenUsers: 2, unseenPairsPerUser: 20, seed: 3 });
const definition = { kind: 'pal-a', numPrototypes: 2, itemDim: 4, latentDim: 4, projector: 'mlp1-gelu-dropout0' } as const;
const backend = createReferenceBackend();

describe('train', () => {
  it('should be reproducible for a fixed seed and differ for another seed', async () => {
    const run = (seed: number) => train({ backend, definition, train: data.train, validation: data.validation, options: { epochs: 3, batchSize: 16, seed } });
    const [first, second, other] = await Promise.all([run(1), run(1), run(2)]);
    expect(Array.from(second.model.weights[USER_LOGITS]!.data)).toEqual(Array.from(first.model.weights[USER_LOGITS]!.data));
    expect(second.history.map((record) => record.trainLoss)).toEqual(first.history.map((record) => record.trainLoss));
    expect(Array.from(other.model.weights[USER_LOGITS]!.data)).not.toEqual(Array.from(first.model.weights[USER_LOGITS]!.data));
  });

  it('should keep the epoch with the lowest validation loss and report progress', async () => {
    const epochs: number[] = [];
    const result = await train({
      backend,
      definition,
      train: data.train,
      validation: data.validation,
      options: { epochs: 6, batchSize: 32, optimizer: { groups: { projectors: { learningRate: 0.05 } } } },
      onProgress: (progress) => {
        if (progress.kind === 'epoch') epochs.push(progress.epoch);
      },
    });
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6]);
    const losses = result.history.map((record) => record.validationLoss!);
    expect(result.bestEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expect(result.model.userIds).toEqual(data.train.userIds.slice(0, 6));
  });

  it('should stop early after `patience` epochs without improvement', async () => {
    const result = await train({
      backend,
      definition,
      train: data.train,
      validation: data.validation,
      // A learning rate of zero never improves on epoch 1.
      options: { epochs: 50, optimizer: { groups: { projectors: { learningRate: 0 }, prototypes: { learningRate: 0 }, userWeights: { learningRate: 0 } } }, earlyStopping: { patience: 2 } },
    });
    expect(result.history.length).toBe(3);
    expect(result.bestEpoch).toBe(1);
  });

  it('should stop with TrainingAbortedError when the signal fires', async () => {
    const controller = new AbortController();
    const run = train({ backend, definition, train: data.train, options: { epochs: 100, batchSize: 8 }, signal: controller.signal, onProgress: () => controller.abort(new Error('user pressed ctrl-c')) });
    await expect(run).rejects.toSatisfy((error) => TrainingAbortedError.isInstance(error));
  });

  it('should reject embeddings whose width differs from the definition', async () => {
    await expect(train({ backend, definition: { ...definition, itemDim: 5 }, train: data.train })).rejects.toThrow(/item embeddings have 4 columns, the model expects itemDim = 5/);
    await expect(train({ backend, definition: { ...definition, itemDim: 5 }, train: data.train })).rejects.toSatisfy((error) => DimensionMismatchError.isInstance(error));
  });
});

describe('localize, zero-shot and scoring', () => {
  it('should learn only the new users and leave every shared weight and existing user untouched', async () => {
    const trained = await train({ backend, definition, train: data.train, options: { epochs: 2 } });
    const localized = await localize({ backend, model: trained.model, data: data.unseen, options: { steps: 30 } });
    expect(localized.userIds).toEqual(['unseen-0', 'unseen-1']);
    expect(localized.model.userIds).toEqual([...trained.model.userIds, 'unseen-0', 'unseen-1']);
    for (const [name, tensor] of Object.entries(trained.model.weights)) {
      if (name === USER_LOGITS) continue;
      expect(Array.from(localized.model.weights[name]!.data), name).toEqual(Array.from(tensor.data));
    }
    const K = 2;
    const before = trained.model.weights[USER_LOGITS]!.data;
    expect(Array.from(localized.model.weights[USER_LOGITS]!.data.subarray(0, before.length))).toEqual(Array.from(before));
    expect(localized.model.weights[USER_LOGITS]!.shape).toEqual([8, K]);
  });

  it('should hand its training and held-out batches to doPrepareBatches once, before any step', async () => {
    const trained = await train({ backend, definition, train: data.train, options: { epochs: 1 } });
    const calls: string[] = [];
    const prepared: number[][] = [];
    const recording: typeof backend = {
      ...backend,
      doCreateModel: async (options) => {
        const created = await backend.doCreateModel(options);
        const model = created.model;
        return {
          ...created,
          model: {
            ...model,
            doTrainStep: (batch, step) => (calls.push('step'), model.doTrainStep(batch, step)),
            doEvaluate: (batch) => (calls.push('evaluate'), model.doEvaluate(batch)),
            doExportWeights: () => model.doExportWeights(),
            doDispose: () => model.doDispose(),
            doPrepareBatches: async (batches) => {
              calls.push('prepare');
              prepared.push(batches.map((batch) => batch.label.length));
            },
          },
        };
      },
    };
    const hinted = await localize({ backend: recording, model: trained.model, data: data.unseen, options: { steps: 20 } });
    const plain = await localize({ backend, model: trained.model, data: data.unseen, options: { steps: 20 } });
    expect(calls[0]).toBe('prepare');
    expect(calls.filter((call) => call === 'prepare')).toHaveLength(1);
    // 2 unseen users x 20 comparisons, 20% of each user's held out.
    expect(prepared).toEqual([[32, 8]]);
    expect(Array.from(hinted.model.weights[USER_LOGITS]!.data)).toEqual(Array.from(plain.model.weights[USER_LOGITS]!.data));
  });

  it('should give zero-shot users the population-average mixture', async () => {
    const trained = await train({ backend, definition, train: data.train, options: { epochs: 1 } });
    const model = addZeroShotUsers(trained.model, ['newcomer']);
    const mixtures = (await evaluate({ backend, model, data: data.test })).mixtures;
    const average = [0, 1].map((k) => Object.values(mixtures).reduce((total, weights) => total + weights[k]!, 0) / 6);
    const reward = createRewardModel(model);
    const item = new Float32Array(4).fill(0.1);
    expect(await reward.score('newcomer', [], item)).toBeLessThan(0);
    const logits = model.weights[USER_LOGITS]!.data.subarray(12, 14);
    const weights = Array.from(logits, Math.exp);
    expect(weights[0]! / (weights[0]! + weights[1]!)).toBeCloseTo(average[0]!, 5);
  });

  it('should name unknown users and bad embeddings when scoring', async () => {
    const trained = await train({ backend, definition, train: data.train, options: { epochs: 1 } });
    const reward = createRewardModel(trained.model);
    await expect(reward.score('nobody', [], new Float32Array(4))).rejects.toSatisfy((error) => UnknownUserError.isInstance(error) && /"nobody"/.test(String(error)));
    await expect(reward.score('user-0', [], new Float32Array(3))).rejects.toThrow(/item 0: expected an embedding of 4 values, found 3/);
    await expect(reward.score('user-0', [], [0, 0, Number.NaN, 0])).rejects.toThrow(/item 0, value 2: expected a finite number, found NaN/);
    const probability = await reward.preferenceProbability('user-0', [], [0.5, 0, 0, 0], [-0.5, 0, 0, 0]);
    expect(probability).toBeGreaterThan(0);
    expect(probability).toBeLessThan(1);
    await reward.dispose();
  });
});
