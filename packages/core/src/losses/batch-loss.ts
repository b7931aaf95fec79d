import type { LossSettings } from './loss-settings.js';
import { pairwiseLoss } from './pairwise-loss.js';

/**
 * The weighted pairwise loss of a batch from its logits r_left - r_right, and its gradient with respect
 * to each logit: L = sum_j w_j l(y_j * logit_j) / sum_j w_j with y_j = +1 when the left item won.
 */
export function batchPairwiseLoss(
  logits: ArrayLike<number>,
  labels: Int8Array,
  weights: Float32Array,
  settings: LossSettings,
): { loss: number; logitGradient: Float64Array } {
  let totalWeight = 0;
  for (let row = 0; row < labels.length; row++) totalWeight += weights[row]!;
  const logitGradient = new Float64Array(labels.length);
  let loss = 0;
  for (let row = 0; row < labels.length; row++) {
    const sign = labels[row] === 1 ? 1 : -1;
    const point = pairwiseLoss(settings, sign * logits[row]!);
    const share = weights[row]! / totalWeight;
    loss += share * point.value;
    logitGradient[row] = share * point.derivative * sign;
  }
  return { loss, logitGradient };
}
