import { expectArraysClose } from '@pal/backend-conformance';
import {
  LOG_LOGIT_SCALE,
  PalError,
  PluginUnavailableError,
  USER_LOGITS,
  createReferenceBackend,
  initializeUserLogits,
  initializeWeights,
  lossSettingsSchema,
  optimizerSettingsSchema,
  parameterGroupSchema,
  parseModelDefinition,
  randomComparisonBatch,
  type CreateModelOptionsV1,
  type ModelDefinitionInput,
} from '@pal/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ModelDisposedError, createTfjsBackend, type TfjsEngineName } from '../index.js';

const NUM_USERS = 4;

function createOptions(input: ModelDefinitionInput, trainableGroups = [...parameterGroupSchema.options]): CreateModelOptionsV1 {
  const definition = parseModelDefinition(input);
  return {
    definition,
    weights: initializeWeights(definition, NUM_USERS, 11),
    optimizer: optimizerSettingsSchema.parse({}),
    loss: lossSettingsSchema.parse({ kind: 'logistic', bound: { weight: 1, bound: 0.3 } }),
    trainableGroups,
  };
}

const palB: ModelDefinitionInput = { kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 5, latentDim: 4, itemProjector: 'mlp1-gelu-dropout0', promptProjector: 'mlp1-gelu-dropout0' };
const palA: ModelDefinitionInput = { kind: 'pal-a', numPrototypes: 3, itemDim: 4, promptDim: 2, latentDim: 5, projector: 'mlp1-relu-dropout0', head: 'euclidean' };

/**
 * What the conformance kit does not check, on one tfjs engine: that the requested engine is the one that
 * runs, that no call leaves tensors behind, the clamped logit scale, dropout seeding and disposal.
 */
export function describeTfjsEngine(engine: TfjsEngineName): void {
  describe(`tfjs backend on ${engine}`, () => {
    it('should run on the engine it was asked for and say so', async () => {
      const backend = createTfjsBackend({ engine });
      expect(await backend.load()).toEqual({ engine, device: 'cpu' });
      expect(backend.describe()).toEqual({ engine, device: 'cpu' });
      expect(tf.getBackend()).toBe(engine === 'tfjs-wasm' ? 'wasm' : 'cpu');
    });

    for (const [name, definition] of [['PAL-A', palA], ['PAL-B', palB]] as const) {
      it(`should leave the live tensor count unchanged after every ${name} call`, async () => {
        const backend = createTfjsBackend({ engine });
        const { model } = await backend.doCreateModel(createOptions(definition));
        const { model: localised } = await backend.doCreateModel({
          ...createOptions(definition, ['userWeights']),
          weights: { ...createOptions(definition).weights, [USER_LOGITS]: { shape: [2, definition.numPrototypes], data: initializeUserLogits(2, definition.numPrototypes, 1) } },
        });
        const batch = randomComparisonBatch({ seed: 5, count: 12, numUsers: NUM_USERS, itemDim: definition.itemDim, promptDim: definition.promptDim ?? 1, items: 7, prompts: 3 });
        const request = { prompts: batch.prompts, items: batch.items, promptIndex: batch.promptIndex, itemIndex: batch.rightIndex, user: batch.user };
        const localBatch = { ...batch, user: batch.user.map((user) => user % 2) };
        const calls: [string, () => Promise<unknown>][] = [
          ['train step', () => model.doTrainStep(batch, { step: 1, seed: 1 })],
          ['second train step', () => model.doTrainStep(batch, { step: 2, seed: 2 })],
          ['evaluate', () => model.doEvaluate(batch)],
          ['gradients', () => model.doComputeGradients(batch)],
          ['score', () => model.doScore(request)],
          ['export', () => model.doExportWeights()],
          ['localisation step', () => localised.doTrainStep(localBatch, { step: 1, seed: 1 })],
          ['localised score', () => localised.doScore({ ...request, user: localBatch.user })],
        ];
        for (const [call, run] of calls) {
          const before = tf.memory().numTensors;
          await run();
          expect(tf.memory().numTensors, `live tensors after ${call}`).toBe(before);
        }
        const before = tf.memory().numTensors;
        await model.doDispose();
        // Each parameter and, for trainable ones, its two Adam moments.
        expect(tf.memory().numTensors).toBeLessThan(before);
        await localised.doDispose();
      });
    }

    it('should stop the logit scale gradient once the scale is clamped, as the reference does', async () => {
      const options = createOptions({ ...palB, initialLogitScale: 50, maxLogitScale: 20 } as ModelDefinitionInput);
      const batch = randomComparisonBatch({ seed: 8, count: 16, numUsers: NUM_USERS, itemDim: 6, promptDim: 5, items: 6, prompts: 4 });
      const { model } = await createTfjsBackend({ engine }).doCreateModel(options);
      const { model: oracle } = await createReferenceBackend().doCreateModel(options);
      const [actual, expected] = await Promise.all([model.doComputeGradients(batch), oracle.doComputeGradients(batch)]);
      expect(Array.from(actual.gradients[LOG_LOGIT_SCALE]!.data)).toEqual([0]);
      expectArraysClose([actual.loss], [expected.loss], 1e-4, 'clamped loss');
      expectArraysClose(await model.doScore({ ...batch, itemIndex: batch.leftIndex }), await oracle.doScore({ ...batch, itemIndex: batch.leftIndex }), 1e-4, 'clamped scores');
      await model.doDispose();
    });

    it('should draw the same dropout masks for the same step seed and others for another seed', async () => {
      const definition = { ...palB, itemProjector: 'mlp1-gelu-dropout5', promptProjector: 'mlp1-relu-dropout25' };
      const backend = createTfjsBackend({ engine });
      const batch = randomComparisonBatch({ seed: 2, count: 16, numUsers: NUM_USERS, itemDim: 6, promptDim: 5 });
      const losses = [];
      for (const seed of [7, 7, 8]) {
        const { model } = await backend.doCreateModel(createOptions(definition));
        losses.push((await model.doTrainStep(batch, { step: 1, seed })).loss);
        await model.doDispose();
      }
      expect(losses[1]).toBe(losses[0]);
      expect(losses[2]).not.toBe(losses[0]);
    });

    it('should refuse calls after dispose with a ModelDisposedError', async () => {
      const { model } = await createTfjsBackend({ engine }).doCreateModel(createOptions(palA));
      await model.doDispose();
      const error = await model.doExportWeights().catch((caught: unknown) => caught);
      expect(ModelDisposedError.isInstance(error)).toBe(true);
      expect(PalError.isInstance(error)).toBe(true);
      expect(PluginUnavailableError.isInstance(error)).toBe(false);
      expect(ModelDisposedError.isInstance(new PluginUnavailableError('other'))).toBe(false);
    });
  });
}
