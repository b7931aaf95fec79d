import type { LossSettingsInput, ModelDefinitionInput } from '@pal/core';

/** One model configuration the kit checks a backend on. */
export interface ConformanceCase {
  name: string;
  definition: ModelDefinitionInput;
  loss?: LossSettingsInput;
  /** Give comparisons unequal weights (per-user weighting). */
  weighted?: boolean;
}

/** Every head, loss, weighting and projector shape core supports, at sizes small enough for any engine. */
export const conformanceCases: ConformanceCase[] = [
  {
    name: 'PAL-B, logistic, mlp1-gelu / mlp2-relu',
    definition: { kind: 'pal-b', numPrototypes: 3, itemDim: 8, promptDim: 6, latentDim: 5, itemProjector: 'mlp1-gelu-dropout0', promptProjector: 'mlp2-relu-dropout0' },
  },
  {
    name: 'PAL-B, hinge, residual, per-user weights',
    definition: { kind: 'pal-b', numPrototypes: 2, itemDim: 6, promptDim: 6, latentDim: 6, itemProjector: 'mlp1-gelu-dropout0-residual', promptProjector: 'mlp1-linear-dropout0-residual' },
    loss: { kind: 'hinge', weighting: 'per-user' },
    weighted: true,
  },
  {
    name: 'PAL-B, smoothed hinge, bound loss, K = 1',
    definition: { kind: 'pal-b', numPrototypes: 1, itemDim: 5, promptDim: 4, latentDim: 4, itemProjector: 'mlp0-linear-dropout0', promptProjector: 'mlp1-gelu-dropout0' },
    loss: { kind: 'smoothed-hinge', bound: { weight: 0.5, bound: 0.2 } },
  },
  {
    name: 'PAL-A, squared Euclidean, item only',
    definition: { kind: 'pal-a', numPrototypes: 3, itemDim: 7, latentDim: 5, projector: 'mlp1-gelu-dropout0' },
  },
  {
    name: 'PAL-A, Euclidean, hinge, prompt joined, mlp2-relu',
    definition: { kind: 'pal-a', numPrototypes: 2, itemDim: 4, promptDim: 3, latentDim: 5, projector: 'mlp2-relu-dropout0', head: 'euclidean' },
    loss: { kind: 'hinge' },
  },
  {
    name: 'PAL-A, residual, bound loss, per-user weights',
    definition: { kind: 'pal-a', numPrototypes: 3, itemDim: 5, latentDim: 5, projector: 'mlp1-gelu-dropout0-residual' },
    loss: { weighting: 'per-user', bound: { weight: 1, bound: 0.5 } },
    weighted: true,
  },
];
