import type { ProjectorLayout } from '@pal/core';
import type { DifferentiableGraph } from '../graph/differentiable-graph.js';

/**
 * Emits one projector call: hidden blocks Linear -> Dropout -> ACT, a final Linear, and x + mlp(x) when
 * residual (core's `mlpN-ACT-dropoutP[-residual]`). `masks` holds one scaled dropout mask per hidden
 * layer in training mode, and is omitted in evaluation mode or when the projector has no dropout.
 * `omitFinalBias` leaves out the last bias, for callers that only use differences of two outputs of the
 * same projector (PAL-A), where it cancels exactly and its gradient is exactly zero.
 */
export function projectorForward(
  graph: DifferentiableGraph,
  layout: ProjectorLayout,
  parameters: Record<string, string>,
  input: string,
  masks?: string[],
  omitFinalBias = false,
): string {
  let current = input;
  layout.layers.forEach((layer, index) => {
    const last = index === layout.layers.length - 1;
    current = last && omitFinalBias ? graph.matmulTransposed(current, parameters[layer.weight]!) : graph.linear(current, parameters[layer.weight]!, parameters[layer.bias]!);
    if (last) return;
    const mask = masks?.[index];
    if (mask) current = graph.dropout(current, mask);
    current = graph.activation(current, layout.spec.activation);
  });
  return layout.spec.residual ? graph.add(input, current) : current;
}
