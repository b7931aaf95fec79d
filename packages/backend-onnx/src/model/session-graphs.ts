import { USER_LOGITS, modelProjectors, parameterLayout, type LossSettings, type ModelDefinition, type OptimizerSettings, type ParameterInfo } from '@pal/core';
import { DifferentiableGraph } from '../graph/differentiable-graph.js';
import { GraphBuilder } from '../graph/graph-builder.js';
import { TRAINING_OPSET_VERSION, encodeModel } from '../onnx/encode-model.js';
import { OnnxDataType } from '../onnx/onnx-proto.js';
import { ADAM_EPSILON_INPUT, adamScalarInputs, emitAdamW } from './adamw-graph.js';
import {
  Dimensions,
  declareIndex,
  declareInput,
  declareParameters,
  emitObjective,
  emitPalADistance,
  emitPalAProjections,
  emitPalARowOutputs,
  emitPalARows,
  ROW_OUTPUTS,
  emitPalBCosine,
  emitPalBFeatures,
  type MaskInput,
} from './objective-graph.js';

/** Output names of the session graphs. */
export const Outputs = {
  loss: 'loss',
  logits: 'logits',
  /** Loss of each step of a multi-step run, [steps, 1]. */
  losses: 'losses',
  rewards: 'rewards',
  gradient: (name: string) => `gradient.${name}`,
  parameter: (name: string) => `next.${name}`,
  m: (name: string) => `next.m.${name}`,
  v: (name: string) => `next.v.${name}`,
} as const;

/** Input names of the Adam moments of a parameter. */
export const MomentInputs = { m: (name: string) => `m.${name}`, v: (name: string) => `v.${name}` } as const;

/** A serialised graph and the inputs the caller must feed beyond parameters and batch. */
export interface SessionGraph {
  bytes: Uint8Array;
  masks: MaskInput[];
}

/** What every session graph of a model is built from. */
export interface SessionGraphOptions {
  definition: ModelDefinition;
  loss: LossSettings;
  numUsers: number;
  /** PAL-A localisation: f of the input rows comes in precomputed (see ObjectiveGraphOptions). */
  frozenRows?: boolean;
}

/** What a training-step graph is built from. */
export type TrainGraphOptions = SessionGraphOptions & { optimizer: OptimizerSettings; trainable: ParameterInfo[] };

/** The values of one emitted training step: its loss and each trainable parameter's updated state. */
export interface TrainStepValues {
  loss: string;
  updates: { info: ParameterInfo; parameter: string; m: string; v: string }[];
  masks: MaskInput[];
}

/**
 * Emits forward (training mode), the reverse-mode gradients of the trainable parameters and their AdamW
 * update. Inputs are declared through the graph's resolver, so the same step serves as a whole graph or
 * as a Loop body over stacked minibatches.
 */
export function emitTrainStep(graph: DifferentiableGraph, options: TrainGraphOptions): TrainStepValues {
  const objective = emitObjective(graph, { ...options, training: true, differentiable: true });
  const g = graph.graph;
  const gradients = graph.gradients(
    objective.loss,
    options.trainable.map((info) => objective.parameters[info.name]!),
  );
  const epsilon = declareInput(graph, ADAM_EPSILON_INPUT, 'float', []);
  const groupScalars = new Map<string, { decay: string | undefined; stepSize: string }>();
  for (const info of options.trainable) {
    if (groupScalars.has(info.group)) continue;
    const names = adamScalarInputs(info.group);
    const decay = options.optimizer.groups[info.group].weightDecay > 0 ? declareInput(graph, names.decay, 'float', []) : undefined;
    groupScalars.set(info.group, { decay, stepSize: declareInput(graph, names.stepSize, 'float', []) });
  }
  const updates = options.trainable.map((info) => {
    const parameter = objective.parameters[info.name]!;
    const gradient = gradients.get(parameter) ?? g.op('Expand', [g.scalar(0), g.op('Shape', [parameter])]);
    const m = declareInput(graph, MomentInputs.m(info.name), 'float', info.shape);
    const v = declareInput(graph, MomentInputs.v(info.name), 'float', info.shape);
    const scalars = groupScalars.get(info.group)!;
    // The update overwrites the parameter's own array (OnnxModel.runTraining), so reads of the parameter
    // that its gradient does not wait for (the backward product with it) must run first.
    const upstream = g.ancestorsOf(gradient);
    const laterReads = g.readersOf(parameter).filter((outputs) => !outputs.some((output) => upstream.has(output)));
    const stepSize = laterReads.length > 0 ? g.op('Add', [scalars.stepSize, emitZeroAfter(g, laterReads.map((outputs) => outputs[0]!))]) : scalars.stepSize;
    return { info, ...emitAdamW(g, { parameter, gradient, m, v }, { ...scalars, stepSize, epsilon }, options.optimizer) };
  });
  return { loss: objective.loss, updates, masks: objective.masks };
}

/**
 * A float scalar that is exactly 0 but data-depends on every tensor in `values` (one element of each,
 * of any type),
 * so whatever reads it runs after all of them. Greater + Cast keep it 0 even for NaN or infinite inputs.
 */
function emitZeroAfter(g: GraphBuilder, values: string[]): string {
  const first = (value: string) => g.op('Slice', [g.op('Reshape', [value, g.int64s([-1])]), g.int64s([0]), g.int64s([1])]);
  const firsts = values.map((value) => g.op('Cast', [first(value)], { to: OnnxDataType.float }));
  const sum = g.op('ReduceSum', [firsts.length === 1 ? firsts[0]! : g.op('Concat', firsts, { axis: 0 })], { keepdims: 0 });
  return g.op('Mul', [g.op('Cast', [g.op('Greater', [sum, g.scalar(0)])], { to: OnnxDataType.float }), g.scalar(0)]);
}

/** Forward (training mode), backward of the trainable parameters and their AdamW update, in one graph. */
export function buildTrainGraph(options: TrainGraphOptions): SessionGraph {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_train_step'), undefined, TRAINING_OPSET_VERSION);
  const step = emitTrainStep(graph, options);
  const g = graph.graph;
  for (const { info, parameter, m, v } of step.updates) {
    g.output(parameter, Outputs.parameter(info.name), 'float', info.shape);
    g.output(m, Outputs.m(info.name), 'float', info.shape);
    g.output(v, Outputs.v(info.name), 'float', info.shape);
  }
  g.output(step.loss, Outputs.loss, 'float', []);
  return { bytes: encodeModel(g, { opset: TRAINING_OPSET_VERSION }), masks: step.masks };
}

/** Forward and backward in evaluation mode, returning the loss and every parameter's gradient. */
export function buildGradientGraph(options: SessionGraphOptions): SessionGraph {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_gradients'), undefined, TRAINING_OPSET_VERSION);
  const objective = emitObjective(graph, { ...options, training: false, differentiable: true });
  const g = graph.graph;
  const layout = parameterLayout(options.definition, options.numUsers);
  const gradients = graph.gradients(objective.loss, layout.map((info) => objective.parameters[info.name]!));
  for (const info of layout) {
    const parameter = objective.parameters[info.name]!;
    const gradient = gradients.get(parameter) ?? g.op('Expand', [g.scalar(0), g.op('Shape', [parameter])]);
    g.output(gradient, Outputs.gradient(info.name), 'float', info.shape);
  }
  g.output(objective.loss, Outputs.loss, 'float', []);
  return { bytes: encodeModel(g, { opset: TRAINING_OPSET_VERSION }), masks: [] };
}

/** Forward in evaluation mode: the loss and the logits r_left - r_right. */
export function buildEvaluateGraph(options: SessionGraphOptions): SessionGraph {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_evaluate'), undefined, TRAINING_OPSET_VERSION);
  const objective = emitObjective(graph, { ...options, training: false, differentiable: false });
  const g = graph.graph;
  g.output(objective.loss, Outputs.loss, 'float', []);
  g.output(g.op('Reshape', [objective.logits, g.int64s([-1])]), Outputs.logits, 'float', [Dimensions.comparisons]);
  return { bytes: encodeModel(g, { opset: TRAINING_OPSET_VERSION }), masks: [] };
}

/** Rewards r_u(x; x_c) for ScoreRequestV1-shaped inputs (`first` / `promptIndex` / `user` per request). */
export function buildScoreGraph(options: Omit<SessionGraphOptions, 'loss'>): SessionGraph {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_score'), undefined, TRAINING_OPSET_VERSION);
  const g = graph.graph;
  const { definition } = options;
  const parameters = declareParameters(graph, definition, options.numUsers);
  let rewards: string;
  if (definition.kind === 'pal-b') {
    const items = declareInput(graph, 'items', 'float', [Dimensions.items, definition.itemDim]);
    const prompts = declareInput(graph, 'prompts', 'float', [Dimensions.prompts, definition.promptDim]);
    const [itemIndex, promptIndex, user] = ['itemIndex', 'promptIndex', 'user'].map((name) => declareIndex(graph, name, Dimensions.comparisons, false));
    const features = emitPalBFeatures(graph, definition, parameters, items, prompts);
    const vectors = graph.gatherRows(features.itemUnit, itemIndex!.index, Dimensions.comparisons);
    rewards = graph.mul(emitPalBCosine(graph, features, parameters[USER_LOGITS]!, vectors, promptIndex!, user!, Dimensions.comparisons), features.scale);
  } else {
    const rows = emitPalARows(graph, definition);
    const first = declareInput(graph, 'first', 'int64', [Dimensions.comparisons]);
    const { rowOutputs, pointOutputs, userSlot } = emitPalAProjections(graph, definition, parameters, rows, false);
    const difference = graph.sub(
      graph.gatherRows(rowOutputs, first, Dimensions.comparisons),
      graph.gatherRows(pointOutputs, userSlot.index, Dimensions.comparisons),
    );
    rewards = g.op('Neg', [emitPalADistance(graph, definition, difference)]);
  }
  g.output(g.op('Reshape', [rewards, g.int64s([-1])]), Outputs.rewards, 'float', [Dimensions.comparisons]);
  return { bytes: encodeModel(g, { opset: TRAINING_OPSET_VERSION }), masks: [] };
}

/** PAL-A's f on the batch's input rows in evaluation mode, for steps that keep the projector frozen. */
export function buildPalARowGraph(options: Omit<SessionGraphOptions, 'loss'> & { definition: ModelDefinition & { kind: 'pal-a' } }): SessionGraph {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_a_rows'), undefined, TRAINING_OPSET_VERSION);
  const g = graph.graph;
  const { definition } = options;
  const parameters = declareParameters(graph, definition, options.numUsers);
  const rows = emitPalARowOutputs(graph, definition, parameters, emitPalARows(graph, definition));
  g.output(rows, ROW_OUTPUTS, 'float', [definition.promptDim === 0 ? Dimensions.items : Dimensions.rows, definition.latentDim]);
  return { bytes: encodeModel(g, { opset: TRAINING_OPSET_VERSION }), masks: [] };
}

/** Output names of the PAL-B projection graph. */
export const FeatureOutputs = { itemUnit: 'itemUnit', promptOutput: (k: number) => `promptOutput.${k}`, scale: 'scale' } as const;

/**
 * PAL-B's projections of distinct rows in evaluation mode: unit item vectors f(x)/||f(x)||, each g_k(x_c)
 * and the logit scale. With frozen projections (localisation) these are all the MLP work there is.
 */
export function buildPalBFeatureGraph(options: Omit<SessionGraphOptions, 'loss'> & { definition: ModelDefinition & { kind: 'pal-b' } }): SessionGraph {
  const graph = new DifferentiableGraph(new GraphBuilder('pal_b_features'), undefined, TRAINING_OPSET_VERSION);
  const g = graph.graph;
  const { definition } = options;
  const parameters = declareParameters(graph, definition, options.numUsers);
  const items = declareInput(graph, 'items', 'float', [Dimensions.items, definition.itemDim]);
  const prompts = declareInput(graph, 'prompts', 'float', [Dimensions.prompts, definition.promptDim]);
  const features = emitPalBFeatures(graph, definition, parameters, items, prompts);
  g.output(features.itemUnit, FeatureOutputs.itemUnit, 'float', [Dimensions.items, definition.latentDim]);
  features.promptOutputs.forEach((output, k) => g.output(output, FeatureOutputs.promptOutput(k), 'float', [Dimensions.prompts, definition.latentDim]));
  g.output(features.scale, FeatureOutputs.scale, 'float', [1]);
  return { bytes: encodeModel(g, { opset: TRAINING_OPSET_VERSION }), masks: [] };
}

/** True when a definition has dropout anywhere (training then needs per-step masks). */
export function hasDropout(definition: ModelDefinition): boolean {
  const { item, prompts } = modelProjectors(definition);
  return [item, ...prompts].some((layout) => layout.spec.dropout > 0);
}
