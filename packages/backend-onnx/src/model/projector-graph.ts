import type { ProjectorLayout } from '@pal/core';
import type { DifferentiableGraph } from '../graph/differentiable-graph.js';

/**
 * Emits one projector call: hidden blocks Linear -> Dropout -> ACT, a final Linear, and x + mlp(x) when
 * residual (core's `mlpN-ACT-dropoutP[-residual]`). `masks` holds one scaled dropout mask per hidden
 * layer in training mode, and is omitted in evaluation mode or when the projector has no dropout.
 */
export function projectorForward(
  graph: DifferentiableGraph,
  layout: ProjectorLayout,
  parameters: Record<string, string>,
  input: string,
  masks?: string[],
): string {
  let current = input;
  layout.layers.forEach((layer, index) => {
    current = graph.linear(current, parameters[layer.weight]!, parameters[layer.bias]!);
    if (index === layout.layers.length - 1) return;
    const mask = masks?.[index];
    if (mask) current = graph.dropout(current, mask);
    current = graph.activation(current, layout.spec.activation);
  });
  return layout.spec.residual ? graph.add(input, current) : current;
}
