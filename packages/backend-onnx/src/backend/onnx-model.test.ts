import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectArraysClose } from '@pal/backend-conformance';
import {
  InvalidArgumentError,
  PluginUnavailableError,
  USER_LOGITS,
  createReferenceBackend,
  initializeUserLogits,
  initializeWeights,
  lossSettingsSchema,
  optimizerSettingsSchema,
  parameterLayout,
  parseModelDefinition,
  randomComparisonBatch,
  type ComparisonBatchV1,
  type CreateModelOptionsV1,
  type LossSettingsInput,
  type ModelDefinitionInput,
  type ParameterGroup,
} from '@pal/core';
import { objectiveFeeds } from './batch-feeds.js';
import { createOnnxBackend } from './onnx-backend.js';

const ALL_GROUPS: ParameterGroup[] = ['projectors', 'prototypes', 'userWeights', 'logitScale'];
const palBWithDropout: ModelDefinitionInput = { kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 5, latentDim: 7, itemProjector: 'mlp2-gelu-dropout3', promptProjector: 'mlp1-relu-dropout25' };
const palAWithDropout: ModelDefinitionInput = { kind: 'pal-a', numPrototypes: 3, itemDim: 5, latentDim: 6, projector: 'mlp1-gelu-dropout2' };

function modelOptions(input: ModelDefinitionInput, loss: LossSettingsInput = {}, trainableGroups = ALL_GROUPS, numUsers = 4): CreateModelOptionsV1 {
  const definition = parseModelDefinition(input);
  const optimizer = optimizerSettingsSchema.parse({ groups: { projectors: { learningRate: 1e-2 }, userWeights: { learningRate: 5e-2 }, prototypes: { learningRate: 1e-2 } } });
  return { definition, weights: initializeWeights(definition, numUsers, 5), optimizer, loss: lossSettingsSchema.parse(loss), trainableGroups };
}

function batches(options: CreateModelOptionsV1, count: number, numUsers = 4): ComparisonBatchV1[] {
  const { itemDim, promptDim } = options.definition;
  return Array.from({ length: count }, (_, index) => randomComparisonBatch({ seed: 40 + index, count: 10 + index, numUsers, itemDim, promptDim: Math.max(promptDim, 1), items: 12, prompts: 6 }));
}

/** The same comparisons with every prompt and item row stored twice, the copies used by half the comparisons. */
function withDuplicatedRows(batch: ComparisonBatchV1): ComparisonBatchV1 {
  const double = (data: Float32Array) => {
    const out = new Float32Array(data.length * 2);
    out.set(data);
    out.set(data, data.length);
    return out;
  };
  const shift = (indices: Int32Array, rows: number) => Int32Array.from(indices, (index, position) => (position % 2 === 0 ? index : index + rows));
  return {
    ...batch,
    prompts: { data: double(batch.prompts.data), rows: batch.prompts.rows * 2, cols: batch.prompts.cols },
    items: { data: double(batch.items.data), rows: batch.items.rows * 2, cols: batch.items.cols },
    promptIndex: shift(batch.promptIndex, batch.prompts.rows),
    leftIndex: shift(batch.leftIndex, batch.items.rows),
    rightIndex: batch.rightIndex.map((index, position) => (position % 3 === 0 ? index + batch.items.rows : index)),
  };
}

describe('onnx backend model', () => {
  for (const [name, definition] of [['PAL-B', palBWithDropout], ['PAL-A', palAWithDropout]] as const) {
    it(`should give the same losses and weights from doTrainSteps as from single steps, with dropout: ${name}`, async () => {
      const options = modelOptions(definition);
      const backend = createOnnxBackend();
      const [{ model: single }, { model: multi }] = await Promise.all([backend.doCreateModel(options), backend.doCreateModel(options)]);
      const list = batches(options, 5);
      const steps = list.map((_, index) => ({ step: index + 1, seed: 900 + index }));
      const losses: number[] = [];
      for (let index = 0; index < list.length; index++) losses.push((await single.doTrainStep(list[index]!, steps[index]!)).loss);
      expect((await multi.doTrainSteps!(list, steps)).losses).toEqual(losses);
      const [a, b] = await Promise.all([single.doExportWeights(), multi.doExportWeights()]);
      for (const info of parameterLayout(options.definition, 4)) expect(Array.from(b[info.name]!.data), info.name).toEqual(Array.from(a[info.name]!.data));
      await Promise.all([single.doDispose(), multi.doDispose()]);
    });

    it(`should draw the reference engine's dropout masks from the step seed: ${name}`, async () => {
      const options = modelOptions(definition);
      const [{ model }, { model: oracle }] = await Promise.all([createOnnxBackend().doCreateModel(options), createReferenceBackend().doCreateModel(options)]);
      for (const [index, batch] of batches(options, 3).entries()) {
        const step = { step: index + 1, seed: 77 + index };
        expectArraysClose([(await model.doTrainStep(batch, step)).loss], [(await oracle.doTrainStep(batch, step)).loss], 1e-4, `training loss at step ${index + 1}`);
      }
      const [actual, expected] = await Promise.all([model.doExportWeights(), oracle.doExportWeights()]);
      for (const info of parameterLayout(options.definition, 4)) expectArraysClose(actual[info.name]!.data, expected[info.name]!.data, 1e-3, info.name);
      await Promise.all([model.doDispose(), oracle.doDispose()]);
    });
  }

  it('should leave the caller\'s weights and exported weights untouched while it updates its own state in place', async () => {
    const options = modelOptions(palBWithDropout);
    const initial = Object.fromEntries(Object.entries(options.weights).map(([name, tensor]) => [name, tensor.data.slice()]));
    const { model } = await createOnnxBackend().doCreateModel(options);
    const list = batches(options, 4);
    await model.doTrainStep(list[0]!, { step: 1, seed: 1 });
    const exported = await model.doExportWeights();
    const snapshot = Object.fromEntries(Object.entries(exported).map(([name, tensor]) => [name, tensor.data.slice()]));
    await model.doTrainStep(list[1]!, { step: 2, seed: 2 });
    await model.doTrainSteps!(list.slice(2), [{ step: 3, seed: 3 }, { step: 4, seed: 4 }]);
    const after = await model.doExportWeights();
    for (const [name, tensor] of Object.entries(options.weights)) expect(tensor.data, name).toEqual(initial[name]);
    for (const [name, tensor] of Object.entries(exported)) expect(tensor.data, name).toEqual(snapshot[name]);
    // Training did move the trainable weights.
    expect(after[USER_LOGITS]!.data).not.toEqual(snapshot[USER_LOGITS]);
    await model.doDispose();
  });

  it('should run duplicated prompt and item rows through the MLPs once and gather their gradients exactly', async () => {
    const options = modelOptions({ kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 5, latentDim: 4, itemProjector: 'mlp1-gelu-dropout0', promptProjector: 'mlp1-gelu-dropout0' }, { bound: { weight: 0.5, bound: 0.1 } });
    const batch = batches(options, 1)[0]!;
    const duplicated = withDuplicatedRows(batch);
    const [{ model }, { model: oracle }] = await Promise.all([createOnnxBackend().doCreateModel(options), createReferenceBackend().doCreateModel(options)]);
    const fed = objectiveFeeds(options.definition, options.loss, duplicated).counts;
    const referenced = (indices: Int32Array[]) => new Set(indices.flatMap((array) => Array.from(array))).size;
    expect(fed.items).toBe(referenced([batch.leftIndex, batch.rightIndex]));
    expect(fed.prompts).toBe(referenced([batch.promptIndex]));
    const [compact, expanded, expected] = await Promise.all([model.doComputeGradients(batch), model.doComputeGradients(duplicated), oracle.doComputeGradients(duplicated)]);
    expectArraysClose([expanded.loss], [compact.loss], 1e-6, 'loss');
    for (const info of parameterLayout(options.definition, 4)) {
      expectArraysClose(expanded.gradients[info.name]!.data, compact.gradients[info.name]!.data, 1e-6, `${info.name} (deduplicated vs compact)`);
      expectArraysClose(expanded.gradients[info.name]!.data, expected.gradients[info.name]!.data, 1e-4, `${info.name} (vs reference)`);
    }
    await Promise.all([model.doDispose(), oracle.doDispose()]);
  });

  const localisationCases: [string, ModelDefinitionInput][] = [
    ['PAL-B', { kind: 'pal-b', numPrototypes: 3, itemDim: 6, promptDim: 5, latentDim: 4, itemProjector: 'mlp1-gelu-dropout0', promptProjector: 'mlp2-gelu-dropout0' }],
    ['PAL-A with prompts', { kind: 'pal-a', numPrototypes: 3, itemDim: 4, promptDim: 3, latentDim: 5, projector: 'mlp1-gelu-dropout0' }],
  ];
  for (const [name, definition] of localisationCases) {
    for (const prepared of [false, true]) it(`should localise on frozen projections with the reference losses and evaluations, bound loss included: ${name}${prepared ? ', batches prepared together' : ''}`, async () => {
      const base = modelOptions(definition, { kind: 'hinge', bound: { weight: 0.5, bound: 0.1 } }, ['userWeights']);
      const options = { ...base, weights: { ...base.weights, [USER_LOGITS]: { shape: [2, 3], data: initializeUserLogits(2, 3, 8) } } };
      const [{ model }, { model: oracle }] = await Promise.all([createOnnxBackend().doCreateModel(options), createReferenceBackend().doCreateModel(options)]);
      const [train, validation] = batches(options, 2, 2);
      if (prepared) await model.doPrepareBatches!([train!, validation!]);
      for (let step = 1; step <= 30; step++) {
        expectArraysClose([(await model.doTrainStep(train!, { step, seed: step })).loss], [(await oracle.doTrainStep(train!, { step, seed: step })).loss], 1e-4, `loss at step ${step}`);
      }
      const [actual, expected] = await Promise.all([model.doEvaluate(validation!), oracle.doEvaluate(validation!)]);
      expectArraysClose([actual.loss], [expected.loss], 1e-4, 'validation loss');
      expectArraysClose(actual.logits, expected.logits, 1e-4, 'validation logits');
      expectArraysClose((await model.doExportWeights())[USER_LOGITS]!.data, (await oracle.doExportWeights())[USER_LOGITS]!.data, 1e-3, 'user logits');
      await Promise.all([model.doDispose(), oracle.doDispose()]);
    });
  }

  it('should name an execution provider the installed runtime lacks and reject unknown settings', () => {
    expect(() => createOnnxBackend({ executionProviders: ['no-such-gpu'] })).toThrow(/execution provider "no-such-gpu" is not available/);
    expect(() => createOnnxBackend({ executionProviders: ['no-such-gpu'] })).toSatisfy(() => {
      try {
        createOnnxBackend({ executionProviders: ['no-such-gpu'] });
        return false;
      } catch (error) {
        return PluginUnavailableError.isInstance(error);
      }
    });
    expect(() => createOnnxBackend({ threads: 0 })).toThrow(InvalidArgumentError);
    expect(() => createOnnxBackend({ device: 'gpu' } as never)).toThrow(InvalidArgumentError);
    expect(createOnnxBackend({ threads: 1 }).describe()).toEqual({ engine: 'onnxruntime-node', device: 'cpu' });
  });

  // Where the CUDA provider libraries were installed (onnxruntime-node's install script), CUDA may load.
  const cudaInstalled = existsSync(join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '../bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'));
  it.skipIf(cudaInstalled)('should name a provider whose libraries are missing when its session cannot be created', async () => {
    const options = modelOptions(palBWithDropout);
    const { model } = await createOnnxBackend({ executionProviders: ['cuda'] }).doCreateModel(options);
    const failure = await model.doEvaluate(batches(options, 1)[0]!).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(PluginUnavailableError.isInstance(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/execution provider\(s\) "cuda"/);
    await model.doDispose();
  });

  it('should refuse to run after disposal', async () => {
    const options = modelOptions(palBWithDropout);
    const { model } = await createOnnxBackend().doCreateModel(options);
    await model.doEvaluate(batches(options, 1)[0]!);
    await model.doDispose();
    await expect(model.doEvaluate(batches(options, 1)[0]!)).rejects.toThrow(/disposed/);
    await expect(model.doExportWeights()).rejects.toThrow(/disposed/);
  });
});
