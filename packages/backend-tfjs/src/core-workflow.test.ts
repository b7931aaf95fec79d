import { expectArraysClose } from '@pal/backend-conformance';
import { RewardModel, createReferenceBackend, evaluate, generateSyntheticPreferences, localize, train, type ComputeBackendV1 } from '@pal/core';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from './index.js';

describe("core's train / localize / evaluate / score on the tfjs backend", () => {
  it('should learn the synthetic mixture task and localise unseen users as the reference engine does', async () => {
    const data = generateSyntheticPreferences({ setting: 'mixture', dimension: 8, numPrototypes: 2, numUsers: 30, pairsPerUser: 60, heldOutPairsPerUser: 40, numUnseenUsers: 8, unseenPairsPerUser: 80, seed: 3 });
    const run = async (backend: ComputeBackendV1) => {
      const trained = await train({
        backend,
        definition: { kind: 'pal-a', numPrototypes: 2, itemDim: 8, latentDim: 8, projector: 'mlp0-linear-dropout0', head: 'euclidean' },
        train: data.train,
        validation: data.validation,
        options: { epochs: 8, batchSize: 100, seed: 4, optimizer: { groups: { projectors: { learningRate: 5e-3, weightDecay: 1e-3 }, prototypes: { learningRate: 5e-2 }, userWeights: { learningRate: 5e-2 } } } },
      });
      const seen = await evaluate({ backend, model: trained.model, data: data.test });
      const localized = await localize({ backend, model: trained.model, data: data.unseen, options: { steps: 60, learningRate: 0.1 } });
      return { trained, seen, localized };
    };
    const tfjs = await run(createTfjsBackend({ engine: 'tfjs-wasm' }));
    const reference = await run(createReferenceBackend());
    expect(tfjs.trained.backend).toEqual({ name: 'tfjs', engine: 'tfjs-wasm', device: 'cpu' });
    expect(tfjs.trained.warnings).toEqual([]);
    expectArraysClose(
      tfjs.trained.history.map((record) => record.trainLoss),
      reference.trained.history.map((record) => record.trainLoss),
      1e-3,
      'training loss per epoch',
    );
    expect(tfjs.seen.accuracy).toBeGreaterThan(0.6);
    expect(Math.abs(tfjs.seen.accuracy - reference.seen.accuracy)).toBeLessThanOrEqual(0.01);
    expect(tfjs.localized.model.userIds).toEqual(reference.localized.model.userIds);
    expectArraysClose(tfjs.localized.model.weights['userLogits']!.data, reference.localized.model.weights['userLogits']!.data, 2e-3, 'localised user logits');

    // Rewards of the localised users through RewardModel on each engine, from the same weights.
    const userIds = data.unseen.userIds.slice(0, 4);
    const items = userIds.map((_, index) => data.unseen.items.data.subarray(index * 8, (index + 1) * 8));
    const prompts = userIds.map(() => new Float32Array(0));
    const onTfjs = new RewardModel(tfjs.localized.model, createTfjsBackend({ engine: 'tfjs-wasm' }));
    const onReference = new RewardModel(tfjs.localized.model);
    expectArraysClose(await onTfjs.scoreBatch(userIds, prompts, items), await onReference.scoreBatch(userIds, prompts, items), 1e-4, 'rewards');
  });
});
