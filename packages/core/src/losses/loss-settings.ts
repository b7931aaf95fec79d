import { z } from 'zod';

/**
 * The training objective. The pairwise loss takes the margin m = y * (r_left - r_right) with y = +1 when
 * the left item won; `per-user` weighting gives every comparison the weight 1 / (its user's count), so
 * prolific users do not dominate; the optional bound loss keeps prototypes from drifting off
 * (lambda * sum relu(||u|| - bound); the authors used bound 4, lambda 1 for images).
 */
export const lossSettingsSchema = z.object({
  kind: z.enum(['logistic', 'hinge', 'smoothed-hinge']).default('logistic'),
  /** Margin of the hinge loss (the smoothed hinge uses 1). */
  margin: z.number().positive().default(1),
  weighting: z.enum(['none', 'per-user']).default('none'),
  /** Prototype bound loss; PAL-A bounds the rows of P, PAL-B the prototype outputs g_k(x_c). */
  bound: z.object({ weight: z.number().nonnegative().default(1), bound: z.number().positive().default(4) }).optional(),
});
export type LossSettings = z.output<typeof lossSettingsSchema>;
export type LossSettingsInput = z.input<typeof lossSettingsSchema>;
export type PairwiseLossKind = LossSettings['kind'];
