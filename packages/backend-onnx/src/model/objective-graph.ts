import {
  LOG_LOGIT_SCALE,
  NORM_EPSILON,
  PROTOTYPES,
  USER_LOGITS,
  modelProjectors,
  parameterLayout,
  type LossSettings,
  type ModelDefinition,
  type PalAModelDefinition,
  type PalBModelDefinition,
  type ProjectorLayout,
} from '@pal/core';
import type { DifferentiableGraph, RowSegments } from '../graph/differentiable-graph.js';
import type { Dimension } from '../graph/graph-builder.js';
import type { OnnxElementType } from '../onnx/onnx-proto.js';
import { projectorForward } from './projector-graph.js';


/** Symbolic dimension names of the batch inputs. */
export const Dimensions = {
  items: 'items',
  prompts: 'prompts',
  comparisons: 'comparisons',
  /** PAL-A model input rows: distinct items, or distinct (item, prompt) pairs. */
  rows: 'rows',
  /** Distinct users of a batch (PAL-A ideal points). */
  batchUsers: 'batchUsers',
} as const;

/** A dropout mask input: which rows it covers (a dimension name) and its width. */
export interface MaskInput {
  name: string;
  rows: string;
  cols: number;
  /** Drop probability p of the projector. */
  rate: number;
}

/** The values an objective graph exposes. */
export interface ObjectiveGraph {
  /** Scalar loss: sum_j share_j l_j plus the bound loss. */
  loss: string;
  /** r_left - r_right per comparison, [comparisons, 1]. */
  logits: string;
  /** Parameter name in core's layout -> graph input holding it. */
  parameters: Record<string, string>;
  masks: MaskInput[];
}

/** What an objective graph is built for. */
export interface ObjectiveGraphOptions {
  definition: ModelDefinition;
  loss: LossSettings;
  numUsers: number;
  /** Training mode adds dropout-mask inputs for projectors with dropout. */
  training: boolean;
  /** The graph will be differentiated: every gather gets the row-segment inputs of its index. */
  differentiable: boolean;
  /**
   * PAL-A with a frozen projector (localisation): f of the input rows comes in as the `rowOutputs`
   * input, computed once per batch by the row graph, instead of being recomputed every step.
   */
  frozenRows?: boolean;
}

/** Input name of PAL-A's precomputed f(rows) in frozen-row graphs (and output name of the row graph). */
export const ROW_OUTPUTS = 'rowOutputs';

/** Input names of the row segments of an index input (see `RowSegments`); each has its own dimension. */
export const SegmentInputs = {
  first: (index: string) => `${index}.first`,
  empty: (index: string) => `${index}.empty`,
  repeat: (index: string) => `${index}.repeat`,
  repeatRows: (index: string) => `${index}.repeatRows`,
  repeatBounds: (index: string) => `${index}.repeatBounds`,
} as const;

/** An int64 index input over `dimension` and, in differentiable graphs, its row-segment inputs. */
export function declareIndex(graph: DifferentiableGraph, name: string, dimension: Dimension, differentiable: boolean): { index: string; segments?: RowSegments } {
  const index = declareInput(graph, name, 'int64', [dimension]);
  if (!differentiable) return { index };
  const declare = (key: keyof typeof SegmentInputs) => declareInput(graph, SegmentInputs[key](name), 'int64', [SegmentInputs[key](name)]);
  return { index, segments: { first: declare('first'), empty: declare('empty'), repeat: declare('repeat'), repeatRows: declare('repeatRows'), repeatBounds: declare('repeatBounds') } };
}

/** An index input and, when the graph is differentiated, its row segments. */
export type IndexValues = ReturnType<typeof declareIndex>;

/** Declares a graph input (or takes the value the graph's input resolver gives for it) and records its shape. */
export function declareInput(graph: DifferentiableGraph, name: string, type: OnnxElementType, shape: Dimension[]): string {
  return graph.declare(graph.resolveInput?.(name, type, shape) ?? graph.graph.input(name, type, shape), shape);
}

/** Declares one graph input per parameter of the model, named after core's parameter names. */
export function declareParameters(graph: DifferentiableGraph, definition: ModelDefinition, numUsers: number): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const info of parameterLayout(definition, numUsers)) parameters[info.name] = declareInput(graph, info.name, 'float', info.shape);
  return parameters;
}

/** Emits the PAL-A or PAL-B objective of core's reference engine over a ComparisonBatchV1-shaped input. */
export function emitObjective(graph: DifferentiableGraph, options: ObjectiveGraphOptions): ObjectiveGraph {
  return options.definition.kind === 'pal-a'
    ? emitPalAObjective(graph, { ...options, definition: options.definition })
    : emitPalBObjective(graph, { ...options, definition: options.definition });
}

/** Emits one projector call with its mask inputs when training with dropout. */
function emitProjector(
  graph: DifferentiableGraph,
  layout: ProjectorLayout,
  parameters: Record<string, string>,
  input: string,
  rows: string,
  call: string,
  masks: MaskInput[] | undefined,
  omitFinalBias = false,
): string {
  let maskValues: string[] | undefined;
  if (masks && layout.spec.dropout > 0) {
    maskValues = layout.layers.slice(0, -1).map((layer, index) => {
      const name = `mask.${call}.${index}`;
      masks.push({ name, rows, cols: layer.outputDim, rate: layout.spec.dropout });
      return declareInput(graph, name, 'float', [rows, layer.outputDim]);
    });
  }
  return projectorForward(graph, layout, parameters, input, maskValues, omitFinalBias);
}

/** sum_j share_j l(sign_j * logit_j): the weighted batch loss of core's batchPairwiseLoss. */
function emitBatchLoss(graph: DifferentiableGraph, logits: string, loss: LossSettings): string {
  const sign = declareInput(graph, 'sign', 'float', [Dimensions.comparisons, 1]);
  const share = declareInput(graph, 'share', 'float', [Dimensions.comparisons, 1]);
  const pointLoss = graph.pairwiseLoss(graph.mul(logits, sign), loss);
  return graph.sumAll(graph.mul(pointLoss, share));
}

/** PAL-B (eq. 6): r = s * cos(f(x), sum_k w_k g_k(x_c)), f and each g_k run once per distinct row. */
function emitPalBObjective(graph: DifferentiableGraph, options: ObjectiveGraphOptions & { definition: PalBModelDefinition }): ObjectiveGraph {
  const { definition, loss } = options;
  const parameters = declareParameters(graph, definition, options.numUsers);
  const masks: MaskInput[] | undefined = options.training ? [] : undefined;
  const items = declareInput(graph, 'items', 'float', [Dimensions.items, definition.itemDim]);
  const prompts = declareInput(graph, 'prompts', 'float', [Dimensions.prompts, definition.promptDim]);
  const [promptIndex, leftIndex, rightIndex, user] = ['promptIndex', 'leftIndex', 'rightIndex', 'user'].map((name) =>
    declareIndex(graph, name, Dimensions.comparisons, options.differentiable),
  ) as [IndexValues, IndexValues, IndexValues, IndexValues];
  const features = emitPalBFeatures(graph, definition, parameters, items, prompts, masks);
  const difference = graph.sub(
    graph.gatherRows(features.itemUnit, leftIndex.index, Dimensions.comparisons, leftIndex.segments),
    graph.gatherRows(features.itemUnit, rightIndex.index, Dimensions.comparisons, rightIndex.segments),
  );
  const cosineDifference = emitPalBCosine(graph, features, parameters[USER_LOGITS]!, difference, promptIndex, user, Dimensions.comparisons);
  const logits = graph.mul(cosineDifference, features.scale);
  let total = emitBatchLoss(graph, logits, loss);
  if (loss.bound && loss.bound.weight > 0) {
    // lambda / n * sum_p uses_p * sum_k relu(||g_k(p)|| - bound); promptUse carries lambda * uses_p / n.
    const promptUse = declareInput(graph, 'promptUse', 'float', [Dimensions.prompts, 1]);
    const bound = graph.declare(graph.graph.scalar(loss.bound.bound), []);
    for (const output of features.promptOutputs) {
      total = graph.add(total, graph.sumAll(graph.mul(graph.relu(graph.sub(graph.rowNorm(output, 0), bound)), promptUse)));
    }
  }
  return { loss: total, logits, parameters, masks: masks ?? [] };
}

/** PAL-B projections of distinct rows: unit item vectors, prompt-mapping outputs and the logit scale. */
export interface PalBFeatures {
  itemUnit: string;
  promptOutputs: string[];
  scale: string;
}

/** Emits f on the items (normalised), each g_k on the prompts, and s = exp(min(l, ln maxScale)). */
export function emitPalBFeatures(
  graph: DifferentiableGraph,
  definition: PalBModelDefinition,
  parameters: Record<string, string>,
  items: string,
  prompts: string,
  masks?: MaskInput[],
): PalBFeatures {
  const projectors = modelProjectors(definition);
  const itemOutput = emitProjector(graph, projectors.item, parameters, items, Dimensions.items, 'itemProjector', masks);
  const itemUnit = graph.normalizeRows(itemOutput, NORM_EPSILON);
  const promptOutputs = projectors.prompts.map((layout, k) =>
    emitProjector(graph, layout, parameters, prompts, Dimensions.prompts, `promptProjector.${k}`, masks),
  );
  const scale = graph.clampedExp(parameters[LOG_LOGIT_SCALE]!, Math.log(definition.maxLogitScale));
  return { itemUnit, promptOutputs, scale };
}

/** <v, z> / ||z|| per row with z = sum_k softmax(W_user)_k g_k(prompt): the cosine against each row's mixture. */
export function emitPalBCosine(
  graph: DifferentiableGraph,
  features: PalBFeatures,
  userLogits: string,
  vectors: string,
  promptIndex: IndexValues,
  user: IndexValues,
  count: Dimension,
): string {
  const mixtureWeights = graph.gatherRows(graph.softmaxRows(userLogits), user.index, count, user.segments);
  const mixed = graph.mixRows(
    mixtureWeights,
    features.promptOutputs.map((output) => graph.gatherRows(output, promptIndex.index, count, promptIndex.segments)),
  );
  return graph.div(graph.rowDot(vectors, mixed), graph.rowNorm(mixed, NORM_EPSILON));
}

/** PAL-A (eq. 4): r = -dist(f(x; x_c), f(P^T softmax(W_user))), f run once per distinct row and user. */
function emitPalAObjective(graph: DifferentiableGraph, options: ObjectiveGraphOptions & { definition: PalAModelDefinition }): ObjectiveGraph {
  const { definition, loss } = options;
  const parameters = declareParameters(graph, definition, options.numUsers);
  const masks: MaskInput[] | undefined = options.training ? [] : undefined;
  const rows = options.frozenRows ? undefined : emitPalARows(graph, definition);
  const first = declareIndex(graph, 'first', Dimensions.comparisons, options.differentiable);
  const second = declareIndex(graph, 'second', Dimensions.comparisons, options.differentiable);
  const { rowOutputs, pointOutputs, userSlot } = emitPalAProjections(graph, definition, parameters, rows, options.differentiable, masks);
  const points = graph.gatherRows(pointOutputs, userSlot.index, Dimensions.comparisons, userSlot.segments);
  const distance = (rowIndex: IndexValues) =>
    emitPalADistance(graph, definition, graph.sub(graph.gatherRows(rowOutputs, rowIndex.index, Dimensions.comparisons, rowIndex.segments), points));
  // logit = r_left - r_right = dist_right - dist_left.
  const logits = graph.sub(distance(second), distance(first));
  let total = emitBatchLoss(graph, logits, loss);
  if (loss.bound && loss.bound.weight > 0) {
    const bound = graph.declare(graph.graph.scalar(loss.bound.bound), []);
    const weight = graph.declare(graph.graph.scalar(loss.bound.weight), []);
    total = graph.add(total, graph.mul(graph.sumAll(graph.relu(graph.sub(graph.rowNorm(parameters[PROTOTYPES]!, 0), bound))), weight));
  }
  return { loss: total, logits, parameters, masks: masks ?? [] };
}

/** The model input rows of PAL-A: distinct items, or [item; prompt] for each distinct (item, prompt) pair. */
export function emitPalARows(graph: DifferentiableGraph, definition: PalAModelDefinition): string {
  const items = declareInput(graph, 'items', 'float', [Dimensions.items, definition.itemDim]);
  if (definition.promptDim === 0) return items;
  const prompts = declareInput(graph, 'prompts', 'float', [Dimensions.prompts, definition.promptDim]);
  const pairItem = declareInput(graph, 'pairItem', 'int64', [Dimensions.rows]);
  const pairPrompt = declareInput(graph, 'pairPrompt', 'int64', [Dimensions.rows]);
  const g = graph.graph;
  const joined = g.op('Concat', [g.op('Gather', [items, pairItem], { axis: 0 }), g.op('Gather', [prompts, pairPrompt], { axis: 0 })], { axis: 1 });
  return graph.declare(joined, [Dimensions.rows, definition.itemDim + definition.promptDim]);
}

/** f on the input rows and on the ideal points a_u = P^T softmax(W_u) of the batch's distinct users. */
export function emitPalAProjections(
  graph: DifferentiableGraph,
  definition: PalAModelDefinition,
  parameters: Record<string, string>,
  rows: string | undefined,
  differentiable: boolean,
  masks?: MaskInput[],
): { rowOutputs: string; pointOutputs: string; userSlot: IndexValues } {
  const { item } = modelProjectors(definition);
  const batchUsers = declareIndex(graph, 'batchUsers', Dimensions.batchUsers, differentiable);
  const userSlot = declareIndex(graph, 'userSlot', Dimensions.comparisons, differentiable);
  const rowsDimension = definition.promptDim === 0 ? Dimensions.items : Dimensions.rows;
  // Rewards use f(x) - f(a) only, so f's last bias cancels: leaving it out makes its gradient exactly 0.
  const rowOutputs = rows
    ? emitPalARowOutputs(graph, definition, parameters, rows, masks)
    : declareInput(graph, ROW_OUTPUTS, 'float', [rowsDimension, definition.latentDim]);
  const mixture = graph.softmaxRows(graph.gatherRows(parameters[USER_LOGITS]!, batchUsers.index, Dimensions.batchUsers, batchUsers.segments));
  const points = graph.matmul(mixture, parameters[PROTOTYPES]!);
  const pointOutputs = emitProjector(graph, item, parameters, points, Dimensions.batchUsers, 'projector.points', masks, true);
  return { rowOutputs, pointOutputs, userSlot };
}

/** f on PAL-A's input rows, without the last bias (it cancels in every reward difference). */
export function emitPalARowOutputs(graph: DifferentiableGraph, definition: PalAModelDefinition, parameters: Record<string, string>, rows: string, masks?: MaskInput[]): string {
  const rowsDimension = definition.promptDim === 0 ? Dimensions.items : Dimensions.rows;
  return emitProjector(graph, modelProjectors(definition).item, parameters, rows, rowsDimension, 'projector.rows', masks, true);
}

/** The head's distance for rows of differences f(x) - f(a): squared, or sqrt(squared + eps). */
export function emitPalADistance(graph: DifferentiableGraph, definition: PalAModelDefinition, difference: string): string {
  return definition.head === 'squared-euclidean' ? graph.rowDot(difference, difference) : graph.rowNorm(difference, NORM_EPSILON);
}
