import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectArraysClose } from '@pal/backend-conformance';
import {
  InvalidArgumentError,
  Random,
  USER_LOGITS,
  UnknownUserError,
  createRewardModel,
  initializeWeights,
  parseModelDefinition,
  saveCheckpoint,
  type ModelDefinitionInput,
  type PalModel,
} from '@pal/core';
import { decodeModelMetadata } from '../onnx/encode-model.js';
import { RewardModelTensors, exportOnnxRewardModel } from './export-reward-model.js';

const definitions: [string, ModelDefinitionInput][] = [
  ['PAL-B', { kind: 'pal-b', numPrototypes: 3, itemDim: 6, promptDim: 5, latentDim: 4, itemProjector: 'mlp2-gelu-dropout0', promptProjector: 'mlp1-relu-dropout0' }],
  ['PAL-A with prompts, Euclidean', { kind: 'pal-a', numPrototypes: 2, itemDim: 4, promptDim: 3, latentDim: 5, projector: 'mlp1-gelu-dropout0', head: 'euclidean' }],
  ['PAL-A item only, residual', { kind: 'pal-a', numPrototypes: 3, itemDim: 5, latentDim: 5, projector: 'mlp1-gelu-dropout0-residual' }],
];

function modelFor(input: ModelDefinitionInput): PalModel {
  const definition = parseModelDefinition(input);
  return { definition, weights: initializeWeights(definition, 3, 21), userIds: ['ana', 'ben', 'chloe'] };
}

function rows(count: number, width: number, seed: number): number[][] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => Array.from({ length: width }, () => random.normal()));
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pal-onnx-export-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('exportOnnxRewardModel', () => {
  for (const [name, input] of definitions) {
    it(`should match core's score() in a fresh session, user logits as input: ${name}`, async () => {
      const model = modelFor(input);
      const { definition } = model;
      const path = join(directory, `${name.replace(/\W+/g, '-')}-input.onnx`);
      const exported = await exportOnnxRewardModel(model, { outputPath: path });
      expect(exported.path).toBe(path);
      const session = await ort.InferenceSession.create(path);
      const count = 7;
      const users = Array.from({ length: count }, (_, index) => model.userIds[index % 3]!);
      const prompts = rows(count, definition.promptDim, 1);
      const items = rows(count, definition.itemDim, 2);
      const K = definition.numPrototypes;
      const logits = new Float32Array(count * K);
      users.forEach((user, row) => logits.set(model.weights[USER_LOGITS]!.data.subarray(model.userIds.indexOf(user) * K, (model.userIds.indexOf(user) + 1) * K), row * K));
      const feeds: Record<string, ort.Tensor> = {
        [RewardModelTensors.item]: new ort.Tensor('float32', Float32Array.from(items.flat()), [count, definition.itemDim]),
        [RewardModelTensors.userLogits]: new ort.Tensor('float32', logits, [count, K]),
      };
      if (definition.promptDim > 0) feeds[RewardModelTensors.prompt] = new ort.Tensor('float32', Float32Array.from(prompts.flat()), [count, definition.promptDim]);
      expect([...session.inputNames].sort()).toEqual(Object.keys(feeds).sort());
      const rewards = (await session.run(feeds))[RewardModelTensors.reward]!.data as Float32Array;
      const scorer = createRewardModel(model);
      const expected = await scorer.scoreBatch(users, prompts, items);
      expectArraysClose(rewards, expected, 1e-4, 'exported rewards');
      await scorer.dispose();
      await session.release();
    });
  }

  it('should bake one user in and load from a checkpoint directory', async () => {
    const model = modelFor(definitions[0]![1]);
    const checkpoint = join(directory, 'checkpoint');
    await saveCheckpoint(checkpoint, model);
    const exported = await exportOnnxRewardModel(checkpoint, { userId: 'ben' });
    expect(exported.inputs.map((input) => input.name)).toEqual([RewardModelTensors.prompt, RewardModelTensors.item]);
    expect(decodeModelMetadata(exported.bytes)['pal.user']).toBe('ben');
    const session = await ort.InferenceSession.create(exported.bytes);
    const prompts = rows(4, 5, 3);
    const items = rows(4, 6, 4);
    const output = await session.run({
      [RewardModelTensors.prompt]: new ort.Tensor('float32', Float32Array.from(prompts.flat()), [4, 5]),
      [RewardModelTensors.item]: new ort.Tensor('float32', Float32Array.from(items.flat()), [4, 6]),
    });
    const scorer = createRewardModel(model);
    expectArraysClose(output[RewardModelTensors.reward]!.data as Float32Array, await scorer.scoreBatch(['ben', 'ben', 'ben', 'ben'], prompts, items), 1e-4, 'baked-user rewards');
    await scorer.dispose();
    await session.release();
  });

  it('should reject an unknown user and unknown options', async () => {
    const model = modelFor(definitions[0]![1]);
    await expect(exportOnnxRewardModel(model, { userId: 'zoe' })).rejects.toSatisfy((error) => UnknownUserError.isInstance(error));
    await expect(exportOnnxRewardModel(model, { user: 'ana' } as never)).rejects.toSatisfy((error) => InvalidArgumentError.isInstance(error));
  });
});
