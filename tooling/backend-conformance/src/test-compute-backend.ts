import { describe, expect, it } from 'vitest';
import {
  USER_LOGITS,
  createReferenceBackend,
  initializeWeights,
  initializeUserLogits,
  lossSettingsSchema,
  optimizerSettingsSchema,
  parameterGroupSchema,
  parameterLayout,
  parseModelDefinition,
  randomComparisonBatch,
  type ComparisonBatchV1,
  type ComputeBackendV1,
  type CreateModelOptionsV1,
  type ParameterGroup,
  type ScoreRequestV1,
} from '@pal/core';
import { conformanceCases, type ConformanceCase } from './conformance-cases.js';
import { expectArraysClose } from './expect-arrays-close.js';

/** Settings of `testComputeBackend`. */
export interface ComputeBackendConformanceSettings {
  /** Label for the describe block, e.g. `onnx (cpu)`. */
  name: string;
  create: () => ComputeBackendV1 | Promise<ComputeBackendV1>;
  /** Relative tolerance for losses, logits, gradients and scores (default 1e-4, the float32 target). */
  tolerance?: number;
  /** Relative tolerance for the 20-step trajectory (default 2e-3: float32 rounding compounds through Adam). */
  trajectoryTolerance?: number;
  /** Steps in the trajectory check (default 20). */
  trajectorySteps?: number;
}

const NUM_USERS = 5;
const ALL_GROUPS = parameterGroupSchema.options;

function modelOptions(testCase: ConformanceCase, trainableGroups: ParameterGroup[] = [...ALL_GROUPS], learningRates = true): CreateModelOptionsV1 {
  const definition = parseModelDefinition(testCase.definition);
  // Larger learning rates than the defaults so that 20 steps move every group visibly.
  const optimizer = optimizerSettingsSchema.parse(
    learningRates
      ? { groups: { projectors: { learningRate: 1e-2, weightDecay: 0.01 }, prototypes: { learningRate: 2e-2 }, userWeights: { learningRate: 5e-2 }, logitScale: { learningRate: 1e-2 } } }
      : {},
  );
  return { definition, weights: initializeWeights(definition, NUM_USERS, 17), optimizer, loss: lossSettingsSchema.parse(testCase.loss ?? {}), trainableGroups };
}

function batchFor(testCase: ConformanceCase, seed: number, count = 24): ComparisonBatchV1 {
  const definition = parseModelDefinition(testCase.definition);
  return randomComparisonBatch({ seed, count, numUsers: NUM_USERS, itemDim: definition.itemDim, promptDim: Math.max(definition.promptDim, 1), items: 9, prompts: 5, weighted: testCase.weighted });
}

function scoreRequest(batch: ComparisonBatchV1): ScoreRequestV1 {
  return { prompts: batch.prompts, items: batch.items, promptIndex: batch.promptIndex, itemIndex: batch.leftIndex, user: batch.user };
}

/**
 * Registers vitest checks that a backend computes what core's reference engine computes: losses, logits,
 * gradients of every parameter, scores, a multi-step AdamW trajectory, localisation (only user weights
 * move) and exact weight export, for every head, loss and projector shape core supports.
 */
export function testComputeBackend(settings: ComputeBackendConformanceSettings): void {
  const tolerance = settings.tolerance ?? 1e-4;
  const trajectoryTolerance = settings.trajectoryTolerance ?? 2e-3;
  const steps = settings.trajectorySteps ?? 20;
  const reference = createReferenceBackend();

  describe(`compute backend conformance: ${settings.name}`, () => {
    it('should declare specification version v1, a name and its engine', async () => {
      const backend = await settings.create();
      expect(backend.specificationVersion).toBe('v1');
      expect(backend.name).toMatch(/\S/);
      const description = backend.describe();
      expect(description.engine).toMatch(/\S/);
      expect(description.device).toMatch(/\S/);
    });

    for (const testCase of conformanceCases) {
      describe(testCase.name, () => {
        it('should export exactly the weights it was created with', async () => {
          const backend = await settings.create();
          const options = modelOptions(testCase);
          const { model } = await backend.doCreateModel(options);
          const exported = await model.doExportWeights();
          for (const info of parameterLayout(options.definition, NUM_USERS)) {
            expect(exported[info.name]?.shape, info.name).toEqual(info.shape);
            expect(Array.from(exported[info.name]!.data), info.name).toEqual(Array.from(options.weights[info.name]!.data));
          }
          await model.doDispose();
        });

        it('should match the reference loss, logits and gradients', async () => {
          const backend = await settings.create();
          const options = modelOptions(testCase);
          const batch = batchFor(testCase, 3);
          const [{ model }, { model: oracle }] = await Promise.all([backend.doCreateModel(options), reference.doCreateModel(options)]);
          const [actual, expected] = await Promise.all([model.doEvaluate(batch), oracle.doEvaluate(batch)]);
          expectArraysClose([actual.loss], [expected.loss], tolerance, 'loss');
          expectArraysClose(actual.logits, expected.logits, tolerance, 'logits');
          const [actualGradients, expectedGradients] = await Promise.all([model.doComputeGradients(batch), oracle.doComputeGradients(batch)]);
          expectArraysClose([actualGradients.loss], [expectedGradients.loss], tolerance, 'gradient-pass loss');
          for (const info of parameterLayout(options.definition, NUM_USERS)) {
            expect(actualGradients.gradients[info.name]?.shape, `gradient ${info.name} shape`).toEqual(info.shape);
            expectArraysClose(actualGradients.gradients[info.name]!.data, expectedGradients.gradients[info.name]!.data, tolerance, `gradient ${info.name}`);
          }
          await Promise.all([model.doDispose(), oracle.doDispose()]);
        });

        it('should match the reference scores', async () => {
          const backend = await settings.create();
          const options = modelOptions(testCase);
          const request = scoreRequest(batchFor(testCase, 4));
          const [{ model }, { model: oracle }] = await Promise.all([backend.doCreateModel(options), reference.doCreateModel(options)]);
          expectArraysClose(await model.doScore(request), await oracle.doScore(request), tolerance, 'scores');
          await Promise.all([model.doDispose(), oracle.doDispose()]);
        });

        it(`should follow the reference AdamW trajectory for ${steps} steps`, async () => {
          const backend = await settings.create();
          const options = modelOptions(testCase);
          const [{ model }, { model: oracle }] = await Promise.all([backend.doCreateModel(options), reference.doCreateModel(options)]);
          const actualLosses: number[] = [];
          const expectedLosses: number[] = [];
          for (let step = 1; step <= steps; step++) {
            const batch = batchFor(testCase, 100 + step);
            actualLosses.push((await model.doTrainStep(batch, { step, seed: step })).loss);
            expectedLosses.push((await oracle.doTrainStep(batch, { step, seed: step })).loss);
          }
          expectArraysClose(actualLosses, expectedLosses, trajectoryTolerance, 'losses along the trajectory');
          expect(expectedLosses[steps - 1], 'the trajectory should make progress').not.toBeCloseTo(expectedLosses[0]!, 6);
          const [actualWeights, expectedWeights] = await Promise.all([model.doExportWeights(), oracle.doExportWeights()]);
          for (const info of parameterLayout(options.definition, NUM_USERS)) {
            expectArraysClose(actualWeights[info.name]!.data, expectedWeights[info.name]!.data, trajectoryTolerance, `weights ${info.name} after ${steps} steps`);
          }
          await Promise.all([model.doDispose(), oracle.doDispose()]);
        });

        it('should move only user weights when localising, matching the reference', async () => {
          const backend = await settings.create();
          const base = modelOptions(testCase, ['userWeights']);
          const K = base.definition.numPrototypes;
          const newUsers = 3;
          const options: CreateModelOptionsV1 = {
            ...base,
            // Logistic loss keeps every user's gradient well away from zero: with a hinge loss a user whose
            // margins are nearly all met has a gradient near 1e-14, and Adam turns float32 noise there into
            // learning-rate-sized steps, which says nothing about the backend.
            loss: { ...base.loss, kind: 'logistic' },
            weights: { ...base.weights, [USER_LOGITS]: { shape: [newUsers, K], data: initializeUserLogits(newUsers, K, 5) } },
          };
          const [{ model }, { model: oracle }] = await Promise.all([backend.doCreateModel(options), reference.doCreateModel(options)]);
          const definition = base.definition;
          const batch = randomComparisonBatch({ seed: 9, count: 30, numUsers: newUsers, itemDim: definition.itemDim, promptDim: Math.max(definition.promptDim, 1), items: 8, prompts: 4 });
          for (let step = 1; step <= 10; step++) {
            await model.doTrainStep(batch, { step, seed: step });
            await oracle.doTrainStep(batch, { step, seed: step });
          }
          const [actual, expected] = await Promise.all([model.doExportWeights(), oracle.doExportWeights()]);
          for (const info of parameterLayout(definition, newUsers)) {
            if (info.group === 'userWeights') {
              expectArraysClose(actual[info.name]!.data, expected[info.name]!.data, trajectoryTolerance, 'localised user logits');
            } else {
              expect(Array.from(actual[info.name]!.data), `${info.name} must stay frozen`).toEqual(Array.from(options.weights[info.name]!.data));
            }
          }
          if (K > 1) expect(Array.from(actual[USER_LOGITS]!.data)).not.toEqual(Array.from(options.weights[USER_LOGITS]!.data));
          await Promise.all([model.doDispose(), oracle.doDispose()]);
        });
      });
    }

    it('should train with dropout and evaluate deterministically', async () => {
      const backend = await settings.create();
      const definition = parseModelDefinition({ kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 5, latentDim: 8, itemProjector: 'mlp2-gelu-dropout5', promptProjector: 'mlp1-relu-dropout25' });
      const options: CreateModelOptionsV1 = {
        definition,
        weights: initializeWeights(definition, NUM_USERS, 3),
        optimizer: optimizerSettingsSchema.parse({}),
        loss: lossSettingsSchema.parse({}),
        trainableGroups: [...ALL_GROUPS],
      };
      const { model } = await backend.doCreateModel(options);
      const batch = randomComparisonBatch({ seed: 1, count: 32, numUsers: NUM_USERS, itemDim: 6, promptDim: 5 });
      const first = await model.doEvaluate(batch);
      const second = await model.doEvaluate(batch);
      expect(Array.from(second.logits)).toEqual(Array.from(first.logits));
      const { model: oracle } = await reference.doCreateModel(options);
      expectArraysClose(first.logits, (await oracle.doEvaluate(batch)).logits, tolerance, 'evaluation ignores dropout');
      const losses = [];
      for (let step = 1; step <= 3; step++) losses.push((await model.doTrainStep(batch, { step, seed: step })).loss);
      for (const loss of losses) expect(Number.isFinite(loss)).toBe(true);
      // With p = 0.5 dropout the training-mode loss differs from the evaluation-mode loss.
      expect(losses[0]).not.toBeCloseTo(first.loss, 6);
      await Promise.all([model.doDispose(), oracle.doDispose()]);
    });
  });
}
