import { z } from 'zod';
import { DimensionMismatchError } from '../errors/errors.js';
import type { ModelDefinition } from './model-definition.js';
import type { NamedWeights } from './named-weights.js';
import { parseProjector, type ProjectorSpec } from './projector-spec.js';

/**
 * Parameter groups, each with its own learning rate and weight decay (Table 4 and the authors' code):
 * projector MLPs, PAL-A prototypes P, per-user mixture logits W, and PAL-B's logit scale.
 */
export const parameterGroupSchema = z.enum(['projectors', 'prototypes', 'userWeights', 'logitScale']);
export type ParameterGroup = z.infer<typeof parameterGroupSchema>;

/** One named parameter of a model: its shape and the optimiser group it belongs to. */
export interface ParameterInfo {
  name: string;
  shape: number[];
  group: ParameterGroup;
}

/** Names of the user-weight tensor and the PAL-A prototype matrix. */
export const USER_LOGITS = 'userLogits';
export const PROTOTYPES = 'prototypes';
export const LOG_LOGIT_SCALE = 'logLogitScale';

/** The Linear layers of one projector: `prefix.{layer}.weight` [out, in] and `prefix.{layer}.bias` [out]. */
export interface LinearLayerInfo {
  weight: string;
  bias: string;
  inputDim: number;
  outputDim: number;
}

/** A projector MLP: its parsed spec and its Linear layers in order. */
export interface ProjectorLayout {
  spec: ProjectorSpec;
  layers: LinearLayerInfo[];
}

/** Lays out the Linear layers of a projector from `inputDim` to `latentDim`. */
export function projectorLayout(prefix: string, text: string, inputDim: number, latentDim: number): ProjectorLayout {
  const spec = parseProjector(text);
  const layers: LinearLayerInfo[] = [];
  for (let layer = 0; layer <= spec.hiddenLayers; layer++) {
    layers.push({
      weight: `${prefix}.${layer}.weight`,
      bias: `${prefix}.${layer}.bias`,
      inputDim: layer === 0 ? inputDim : latentDim,
      outputDim: latentDim,
    });
  }
  return { spec, layers };
}

/** The projectors of a model definition, in a fixed order (PAL-A: f; PAL-B: f then g_1..g_K). */
export function modelProjectors(definition: ModelDefinition): { item: ProjectorLayout; prompts: ProjectorLayout[] } {
  if (definition.kind === 'pal-a') {
    return {
      item: projectorLayout('projector', definition.projector, definition.itemDim + definition.promptDim, definition.latentDim),
      prompts: [],
    };
  }
  const prompts: ProjectorLayout[] = [];
  for (let k = 0; k < definition.numPrototypes; k++) {
    prompts.push(projectorLayout(`promptProjector.${k}`, definition.promptProjector, definition.promptDim, definition.latentDim));
  }
  return { item: projectorLayout('itemProjector', definition.itemProjector, definition.itemDim, definition.latentDim), prompts };
}

/** Every parameter of a model with `numUsers` users, in the canonical order used by checkpoints. */
export function parameterLayout(definition: ModelDefinition, numUsers: number): ParameterInfo[] {
  const { item, prompts } = modelProjectors(definition);
  const parameters: ParameterInfo[] = [];
  for (const projector of [item, ...prompts]) {
    for (const layer of projector.layers) {
      parameters.push({ name: layer.weight, shape: [layer.outputDim, layer.inputDim], group: 'projectors' });
      parameters.push({ name: layer.bias, shape: [layer.outputDim], group: 'projectors' });
    }
  }
  if (definition.kind === 'pal-a') {
    parameters.push({ name: PROTOTYPES, shape: [definition.numPrototypes, definition.itemDim + definition.promptDim], group: 'prototypes' });
  } else {
    parameters.push({ name: LOG_LOGIT_SCALE, shape: [1], group: 'logitScale' });
  }
  parameters.push({ name: USER_LOGITS, shape: [numUsers, definition.numPrototypes], group: 'userWeights' });
  return parameters;
}

/** Number of scalar parameters (users included). */
export function countParameters(definition: ModelDefinition, numUsers: number): number {
  return parameterLayout(definition, numUsers).reduce((total, info) => total + info.shape.reduce((a, b) => a * b, 1), 0);
}

/** Throws a DimensionMismatchError naming the first tensor that is missing or has the wrong shape. */
export function assertWeightsMatchLayout(weights: NamedWeights, layout: ParameterInfo[], what = 'weights'): void {
  for (const info of layout) {
    const tensor = weights[info.name];
    if (!tensor) throw new DimensionMismatchError(`${what}: missing tensor "${info.name}" of shape [${info.shape}]`);
    const size = info.shape.reduce((a, b) => a * b, 1);
    if (tensor.shape.join(',') !== info.shape.join(',') || tensor.data.length !== size) {
      throw new DimensionMismatchError(
        `${what}: tensor "${info.name}" expected shape [${info.shape}], found [${tensor.shape}] with ${tensor.data.length} values`,
      );
    }
  }
}
