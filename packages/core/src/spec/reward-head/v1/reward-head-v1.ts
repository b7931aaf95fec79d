import { z } from 'zod';

/**
 * How a user's reward is read off the learned space. The three heads are interchangeable in a model
 * definition:
 * - `squared-euclidean`: PAL-A as in the paper (eq. 4), r = -||f(x) - f(a_i)||^2;
 * - `euclidean`: PAL-A as in the authors' code, r = -||f(x) - f(a_i)||;
 * - `scaled-cosine`: PAL-B (eq. 6) with a CLIP-style learned scale, r = s * cos(f(x), z_i(x_c)).
 */
export const rewardHeadV1Schema = z.enum(['squared-euclidean', 'euclidean', 'scaled-cosine']);
export type RewardHeadV1 = z.infer<typeof rewardHeadV1Schema>;

/** Heads that measure a distance to an ideal point (PAL-A). */
export const distanceHeads: readonly RewardHeadV1[] = ['squared-euclidean', 'euclidean'];
