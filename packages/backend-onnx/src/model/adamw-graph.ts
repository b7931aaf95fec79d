import type { GraphBuilder } from '../graph/graph-builder.js';

/** Names of the per-step scalar inputs of AdamW, fed from float64 values computed in JS. */
export function adamScalarInputs(group: string): { decay: string; stepSize: string } {
  return { decay: `adam.${group}.decay`, stepSize: `adam.${group}.stepSize` };
}

/** Name of the per-step epsilon input of AdamW (epsilon * sqrt(1 - beta2^t), see `emitAdamW`). */
export const ADAM_EPSILON_INPUT = 'adam.epsilon';

/**
 * Emits one AdamW update in PyTorch's order (decoupled decay, then the Adam step). The bias corrections
 * enter through scalars computed in float64 per step: with c1 = 1 - beta1^t and c2 = 1 - beta2^t,
 * p - lr/c1 * m/(sqrt(v)/sqrt(c2) + eps) = p - (lr sqrt(c2)/c1) * m/(sqrt(v) + eps sqrt(c2)), which saves
 * a pass over the parameter; `stepSize` carries lr sqrt(c2)/c1 and `epsilon` eps sqrt(c2).
 */
export function emitAdamW(
  graph: GraphBuilder,
  values: { parameter: string; gradient: string; m: string; v: string },
  scalars: { decay: string | undefined; stepSize: string; epsilon: string },
  betas: { beta1: number; beta2: number },
): { parameter: string; m: string; v: string } {
  const { parameter, gradient, m, v } = values;
  const nextM = graph.op('Add', [graph.op('Mul', [m, graph.scalar(betas.beta1)]), graph.op('Mul', [gradient, graph.scalar(1 - betas.beta1)])]);
  const nextV = graph.op('Add', [
    graph.op('Mul', [v, graph.scalar(betas.beta2)]),
    graph.op('Mul', [graph.op('Mul', [gradient, gradient]), graph.scalar(1 - betas.beta2)]),
  ]);
  const step = graph.op('Mul', [graph.op('Div', [nextM, graph.op('Add', [graph.op('Sqrt', [nextV]), scalars.epsilon])]), scalars.stepSize]);
  const decayed = scalars.decay ? graph.op('Mul', [parameter, scalars.decay]) : parameter;
  return { parameter: graph.op('Sub', [decayed, step]), m: nextM, v: nextV };
}
