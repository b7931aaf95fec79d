import type { OptimizerSettings } from './optimizer-settings.js';
import { adamBiasCorrections } from './optimizer-settings.js';

/** Adam moment buffers of one parameter. */
export interface AdamState {
  m: Float64Array;
  v: Float64Array;
}

/**
 * One AdamW update in place, in PyTorch's order: decoupled decay p *= 1 - lr * wd, then
 * p -= lr * m_hat / (sqrt(v_hat) + eps).
 */
export function adamwUpdate(
  parameter: Float64Array,
  gradient: Float64Array,
  state: AdamState,
  settings: OptimizerSettings,
  group: { learningRate: number; weightDecay: number },
  step: number,
): void {
  const { beta1, beta2, epsilon } = settings;
  const { correction1, correction2 } = adamBiasCorrections(settings, step);
  const decay = 1 - group.learningRate * group.weightDecay;
  const stepSize = group.learningRate / correction1;
  const sqrtCorrection2 = Math.sqrt(correction2);
  for (let index = 0; index < parameter.length; index++) {
    const g = gradient[index]!;
    const m = beta1 * state.m[index]! + (1 - beta1) * g;
    const v = beta2 * state.v[index]! + (1 - beta2) * g * g;
    state.m[index] = m;
    state.v[index] = v;
    parameter[index] = parameter[index]! * decay - (stepSize * m) / (Math.sqrt(v) / sqrtCorrection2 + epsilon);
  }
}
