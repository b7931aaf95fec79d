import { z } from 'zod';
import { lossSettingsSchema } from '../losses/loss-settings.js';
import { optimizerSettingsSchema } from '../optim/optimizer-settings.js';

/**
 * Options of `train()`. Model selection keeps the weights of the epoch with the lowest validation loss
 * (the paper's protocol); early stopping ends the run after `patience` epochs without improvement.
 */
export const trainOptionsSchema = z.object({
  epochs: z.number().int().positive().default(30),
  batchSize: z.number().int().positive().default(256),
  seed: z.number().int().default(0),
  optimizer: optimizerSettingsSchema.prefault({}),
  loss: lossSettingsSchema.prefault({}),
  earlyStopping: z
    .object({ patience: z.number().int().positive().default(5), minDelta: z.number().nonnegative().default(0) })
    .optional(),
  /**
   * Minibatches per backend call when the backend offers `doTrainSteps` (amortises per-call costs such as
   * ONNX Runtime copying every output back to JS). Default: enough steps for about 4096 comparisons per
   * call, at most 16.
   */
  stepsPerCall: z.number().int().positive().optional(),
  /** Batch size used for validation passes. */
  evaluationBatchSize: z.number().int().positive().default(4096),
});
export type TrainOptions = z.output<typeof trainOptionsSchema>;

/** The number of minibatches `train()` hands a backend per call. */
export function resolveStepsPerCall(options: Pick<TrainOptions, 'stepsPerCall' | 'batchSize'>): number {
  return options.stepsPerCall ?? Math.min(16, Math.max(1, Math.floor(4096 / options.batchSize)));
}
export type TrainOptionsInput = z.input<typeof trainOptionsSchema>;

/** Options of `localize()`: only new users' mixture logits learn; everything else is frozen. */
export const localizeOptionsSchema = z.object({
  /** Full-batch optimisation steps. */
  steps: z.number().int().positive().default(300),
  learningRate: z.number().positive().default(0.05),
  /** Share of each user's comparisons held out to pick the step (never the test set). */
  validationFraction: z.number().min(0).max(0.9).default(0.2),
  seed: z.number().int().default(0),
  loss: lossSettingsSchema.prefault({}),
  /** How often (in steps) the held-out part is evaluated for model selection. */
  evaluateEvery: z.number().int().positive().default(10),
});
export type LocalizeOptions = z.output<typeof localizeOptionsSchema>;
export type LocalizeOptionsInput = z.input<typeof localizeOptionsSchema>;

/** Options of `evaluate()`: the loss reported beside accuracy and the engine batch size. */
export const evaluateOptionsSchema = z.object({
  loss: lossSettingsSchema.prefault({}),
  batchSize: z.number().int().positive().default(4096),
});
export type EvaluateOptions = z.output<typeof evaluateOptionsSchema>;
export type EvaluateOptionsInput = z.input<typeof evaluateOptionsSchema>;
