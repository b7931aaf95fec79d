import type { LossSettings } from '@pal/core';
import type { Scalar, Tensor, Tensor1D, TfjsModule } from '../engine/tfjs-module.js';

/**
 * Core's weighted pairwise loss on tfjs tensors: sum_j share_j * l(sign_j * logit_j), where `share` holds
 * the batch weights already divided by their sum and `sign` is +1 when the left item won.
 */
export function pairwiseLossGraph(tf: TfjsModule, settings: LossSettings, logits: Tensor1D, sign: Tensor1D, share: Tensor1D): Scalar {
  const margin = tf.mul(sign, logits);
  let values: Tensor;
  switch (settings.kind) {
    case 'logistic':
      values = tf.softplus(tf.neg(margin));
      break;
    case 'hinge':
      values = tf.relu(tf.sub(settings.margin, margin));
      break;
    case 'smoothed-hinge': {
      // With u = relu(1 - m): 0.5 u^2 - 0.5 relu(u - 1)^2 is 0.5 - m below m = 0, 0.5 (1 - m)^2 on [0, 1] and 0
      // above; composed without tf.where, whose condition ops have no gradient in tfjs.
      const u = tf.relu(tf.sub(1, margin));
      values = tf.mul(tf.sub(tf.square(u), tf.square(tf.relu(tf.sub(u, 1)))), 0.5);
      break;
    }
  }
  return tf.sum(tf.mul(share, values));
}
