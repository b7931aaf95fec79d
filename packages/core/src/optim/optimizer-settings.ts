import { z } from 'zod';

const groupSchema = (learningRate: number, weightDecay: number) =>
  z.object({ learningRate: z.number().nonnegative().default(learningRate), weightDecay: z.number().nonnegative().default(weightDecay) }).prefault({});

/**
 * AdamW with one learning rate and weight decay per parameter group. Defaults are the paper's (Table 4)
 * and the authors' code: projectors 1e-4 / 0.01, prototypes and user weights 5e-3 / 0, logit scale 0.1 / 0.
 */
export const optimizerSettingsSchema = z.object({
  groups: z
    .object({
      projectors: groupSchema(1e-4, 0.01),
      prototypes: groupSchema(5e-3, 0),
      userWeights: groupSchema(5e-3, 0),
      logitScale: groupSchema(0.1, 0),
    })
    .prefault({}),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-8),
});
export type OptimizerSettings = z.output<typeof optimizerSettingsSchema>;
export type OptimizerSettingsInput = z.input<typeof optimizerSettingsSchema>;

/**
 * Adam's bias corrections for step t (1-based), computed in float64: engines receive them as scalars
 * because float32 powers drift over long runs.
 */
export function adamBiasCorrections(settings: OptimizerSettings, step: number): { correction1: number; correction2: number } {
  return { correction1: 1 - Math.pow(settings.beta1, step), correction2: 1 - Math.pow(settings.beta2, step) };
}
