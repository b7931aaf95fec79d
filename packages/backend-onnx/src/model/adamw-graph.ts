import type { GraphBuilder } from '../graph/graph-builder.js';

/** Names of the per-step scalar inputs of AdamW, fed from float64 values computed in JS. */
export function adamScalarInputs(group: string): { decay: string; stepSize: string } {
  return { decay: `adam.${group}.decay`, stepSize: `adam.${group}.stepSize` };
}

/** Name of the per-step epsilon input of AdamW (see `adamStepScalars`). */
export const ADAM_EPSILON_INPUT = 'adam.epsilon';

/**
 * The moments are kept as m / (1 - beta1) and v / (1 - beta2), which turns each moment update into
 * beta * state + g (resp. g^2) and saves a pass over the parameter per moment; the constant factors
 * move into the step size and epsilon. With c1 = 1 - beta1^t and c2 = 1 - beta2^t:
 * lr/c1 * m / (sqrt(v)/sqrt(c2) + eps) = stepSize * m' / (sqrt(v') + epsilon) for
 * stepSize = lr (1 - beta1) sqrt(c2) / (c1 sqrt(1 - beta2)) and epsilon = eps sqrt(c2) / sqrt(1 - beta2).
 */
export function adamStepScalars(
  settings: { beta1: number; beta2: number; epsilon: number },
  group: { learningRate: number; weightDecay: number },
  corrections: { correction1: number; correction2: number },
): { stepSize: number; epsilon: number; decay: number } {
  const sqrtCorrection2 = Math.sqrt(corrections.correction2);
  const sqrtOneMinusBeta2 = Math.sqrt(1 - settings.beta2);
  return {
    stepSize: (group.learningRate * (1 - settings.beta1) * sqrtCorrection2) / (corrections.correction1 * sqrtOneMinusBeta2),
    epsilon: (settings.epsilon * sqrtCorrection2) / sqrtOneMinusBeta2,
    decay: 1 - group.learningRate * group.weightDecay,
  };
}

/**
 * Emits one AdamW update in PyTorch's order (decoupled decay, then the Adam step) on the scaled moments
 * described at `adamStepScalars`: 11 element-wise passes per parameter (9 without weight decay).
 */
export function emitAdamW(
  graph: GraphBuilder,
  values: { parameter: string; gradient: string; m: string; v: string },
  scalars: { decay: string | undefined; stepSize: string; epsilon: string },
  betas: { beta1: number; beta2: number },
): { parameter: string; m: string; v: string } {
  const { parameter, gradient, m, v } = values;
  const nextM = graph.op('Add', [graph.op('Mul', [m, graph.scalar(betas.beta1)]), gradient]);
  const nextV = graph.op('Add', [graph.op('Mul', [v, graph.scalar(betas.beta2)]), graph.op('Mul', [gradient, gradient])]);
  const step = graph.op('Mul', [graph.op('Div', [nextM, graph.op('Add', [graph.op('Sqrt', [nextV]), scalars.epsilon])]), scalars.stepSize]);
  const decayed = scalars.decay ? graph.op('Mul', [parameter, scalars.decay]) : parameter;
  return { parameter: graph.op('Sub', [decayed, step]), m: nextM, v: nextV };
}
