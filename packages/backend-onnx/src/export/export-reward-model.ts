import { z } from 'zod';
import {
  NORM_EPSILON,
  atomicWriteFile,
  LOG_LOGIT_SCALE,
  PROTOTYPES,
  USER_LOGITS,
  UnknownUserError,
  assertWeightsMatchLayout,
  loadCheckpoint,
  modelProjectors,
  parameterLayout,
  parseModelDefinition,
  parseOptions,
  type ModelDefinition,
  type NamedWeights,
  type PalModel,
} from '@pal/core';
import { DifferentiableGraph } from '../graph/differentiable-graph.js';
import { GraphBuilder } from '../graph/graph-builder.js';
import { encodeModel } from '../onnx/encode-model.js';
import { projectorForward } from '../model/projector-graph.js';

/** Options of `exportOnnxRewardModel`, validated at the call. */
export const exportOnnxRewardModelOptionsSchema = z
  .object({
    /** Bake this user's mixture into the model; when omitted the model takes `user_logits` as an input. */
    userId: z.string().min(1).optional(),
    /** Also write the model to this file. */
    outputPath: z.string().min(1).optional(),
  })
  .strict();

/** Options of `exportOnnxRewardModel`. */
export type ExportOnnxRewardModelOptions = z.input<typeof exportOnnxRewardModelOptionsSchema>;

/** Names of the exported model's tensors. */
export const RewardModelTensors = {
  prompt: 'prompt_embedding',
  item: 'item_embedding',
  userLogits: 'user_logits',
  reward: 'reward',
} as const;

/** An exported reward model: the `.onnx` bytes and the names and shapes of its inputs and output. */
export interface ExportedRewardModel {
  bytes: Uint8Array;
  inputs: { name: string; shape: (number | string)[] }[];
  output: { name: string; shape: (number | string)[] };
  /** Where the model was written, when `outputPath` was given. */
  path?: string;
}

/**
 * Exports a trained PAL model (a checkpoint directory or `{ definition, weights, userIds }`) as a
 * standalone ONNX reward model that any ONNX Runtime (Python, C++, browser) can run: inputs are a batch
 * of prompt and item embeddings (the prompt only when the model reads one) and, unless a user is baked in,
 * each row's user logits W_i (softmax is applied inside); the output is one reward per row.
 */
export async function exportOnnxRewardModel(checkpoint: PalModel | string, options: ExportOnnxRewardModelOptions = {}): Promise<ExportedRewardModel> {
  const parsed = parseOptions(exportOnnxRewardModelOptionsSchema, options, 'exportOnnxRewardModel options');
  const model = typeof checkpoint === 'string' ? await loadCheckpoint(checkpoint) : checkpoint;
  const definition = parseModelDefinition(model.definition);
  assertWeightsMatchLayout(model.weights, parameterLayout(definition, model.userIds.length), 'exportOnnxRewardModel weights');
  let bakedLogits: Float32Array | undefined;
  if (parsed.userId !== undefined) {
    const index = model.userIds.indexOf(parsed.userId);
    if (index < 0) {
      throw new UnknownUserError(`exportOnnxRewardModel: user "${parsed.userId}" is not in this model (${model.userIds.length} users); localise the user first`);
    }
    const K = definition.numPrototypes;
    bakedLogits = model.weights[USER_LOGITS]!.data.slice(index * K, (index + 1) * K);
  }
  const exported = buildRewardModel(definition, model.weights, bakedLogits, parsed.userId);
  if (parsed.outputPath) {
    await atomicWriteFile(parsed.outputPath, exported.bytes);
    exported.path = parsed.outputPath;
  }
  return exported;
}

function buildRewardModel(definition: ModelDefinition, weights: NamedWeights, bakedLogits: Float32Array | undefined, userId: string | undefined): ExportedRewardModel {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_reward_model'));
  const g = graph.graph;
  const parameters: Record<string, string> = {};
  const { item, prompts: promptLayouts } = modelProjectors(definition);
  for (const layout of [item, ...promptLayouts]) {
    layout.layers.forEach((layer, index) => {
      // PAL-A's last bias cancels in f(x) - f(a), so the graph never reads it.
      const names = definition.kind === 'pal-a' && index === layout.layers.length - 1 ? [layer.weight] : [layer.weight, layer.bias];
      for (const name of names) parameters[name] = graph.declare(g.initializer(name, weights[name]!.data, weights[name]!.shape), weights[name]!.shape);
    });
  }
  const inputs: ExportedRewardModel['inputs'] = [];
  const declare = (name: string, width: number) => {
    const shape = ['batch', width];
    inputs.push({ name, shape });
    return graph.declare(g.input(name, 'float', shape), shape);
  };
  const K = definition.numPrototypes;
  const prompt = definition.promptDim > 0 ? declare(RewardModelTensors.prompt, definition.promptDim) : undefined;
  const itemInput = declare(RewardModelTensors.item, definition.itemDim);
  const logits = bakedLogits ? graph.declare(g.constant(bakedLogits, [1, K]), [1, K]) : declare(RewardModelTensors.userLogits, K);
  const mixture = graph.softmaxRows(logits);
  let reward: string;
  if (definition.kind === 'pal-b') {
    const itemUnit = graph.normalizeRows(projectorForward(graph, item, parameters, itemInput), NORM_EPSILON);
    const mixed = graph.mixRows(mixture, promptLayouts.map((layout) => projectorForward(graph, layout, parameters, prompt!)));
    const logScale = weights[LOG_LOGIT_SCALE]!.data[0]!;
    const scale = Math.min(Math.exp(logScale), definition.maxLogitScale);
    const cosine = graph.div(graph.rowDot(itemUnit, mixed), graph.rowNorm(mixed, NORM_EPSILON));
    reward = graph.mul(cosine, graph.declare(g.scalar(scale), []));
  } else {
    const prototypes = graph.declare(g.initializer(PROTOTYPES, weights[PROTOTYPES]!.data, weights[PROTOTYPES]!.shape), weights[PROTOTYPES]!.shape);
    const rows = prompt ? graph.declare(g.op('Concat', [itemInput, prompt], { axis: 1 }), ['batch', definition.itemDim + definition.promptDim]) : itemInput;
    // f's last bias cancels in f(x) - f(a), so it is left out (as in training).
    const rowOutputs = projectorForward(graph, item, parameters, rows, undefined, true);
    const pointOutputs = projectorForward(graph, item, parameters, graph.matmul(mixture, prototypes), undefined, true);
    const difference = graph.sub(rowOutputs, pointOutputs);
    const distance = definition.head === 'squared-euclidean' ? graph.rowDot(difference, difference) : graph.rowNorm(difference, NORM_EPSILON);
    reward = g.op('Neg', [distance]);
  }
  g.output(g.op('Reshape', [reward, g.int64s([-1])]), RewardModelTensors.reward, 'float', ['batch']);
  const bytes = encodeModel(g, {
    docString: 'PAL personalized reward model exported by @pal/backend-onnx',
    metadata: {
      'pal.definition': JSON.stringify(definition),
      'pal.user': userId ?? '',
      'pal.inputs': inputs.map((input) => input.name).join(','),
    },
  });
  return { bytes, inputs, output: { name: RewardModelTensors.reward, shape: ['batch'] } };
}
