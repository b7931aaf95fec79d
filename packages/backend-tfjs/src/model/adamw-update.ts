import { adamBiasCorrections, type OptimizerSettings } from '@pal/core';
import type { Tensor, TfjsModule, Variable } from '../engine/tfjs-module.js';

/** Adam moment buffers of one parameter, as non-trainable tfjs variables. */
export interface AdamMoments {
  m: Variable;
  v: Variable;
}

/**
 * One AdamW update of a tfjs variable in PyTorch's order: p *= 1 - lr * wd, then
 * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps). The bias corrections are computed in
 * float64 in JS and enter as scalars (float32 powers drift over long runs). tfjs's own Adam has neither
 * decoupled weight decay nor parameter groups. Call inside tf.tidy.
 */
export function adamwUpdate(
  tf: TfjsModule,
  parameter: Variable,
  gradient: Tensor,
  moments: AdamMoments,
  settings: OptimizerSettings,
  group: { learningRate: number; weightDecay: number },
  step: number,
): void {
  const { beta1, beta2, epsilon } = settings;
  const { correction1, correction2 } = adamBiasCorrections(settings, step);
  const m = tf.add(tf.mul(moments.m, beta1), tf.mul(gradient, 1 - beta1));
  const v = tf.add(tf.mul(moments.v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
  moments.m.assign(m);
  moments.v.assign(v);
  const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(correction2)), epsilon);
  const decayed = group.weightDecay === 0 ? parameter : tf.mul(parameter, 1 - group.learningRate * group.weightDecay);
  parameter.assign(tf.sub(decayed, tf.div(tf.mul(m, group.learningRate / correction1), denominator)));
}
