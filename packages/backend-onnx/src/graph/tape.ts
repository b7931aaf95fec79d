import type { GraphBuilder } from './graph-builder.js';

/**
 * Emits the vector-Jacobian product of one recorded op: given the gradients of its outputs (undefined
 * when an output does not reach the target) and which inputs need a gradient, it appends nodes and
 * returns one gradient per input (undefined where not needed or identically zero).
 */
export type GradientRule = (outputGradients: (string | undefined)[], needed: boolean[]) => (string | undefined)[];

interface TapeEntry {
  inputs: string[];
  outputs: string[];
  rule: GradientRule;
}

/**
 * The record of differentiable ops in the order they were emitted. Reverse-mode differentiation walks
 * it backwards, so the backward graph is emitted into the same ONNX graph as the forward pass.
 */
export class Tape {
  private readonly entries: TapeEntry[] = [];

  /** Records an op: its input and output value names and its gradient rule. */
  record(inputs: string[], outputs: string[], rule: GradientRule): void {
    this.entries.push({ inputs, outputs, rule });
  }

  /**
   * Emits the gradients of `target` (a scalar) with respect to each of `wrt` into `graph`, seeding the
   * target's gradient with `seed`. Values that do not influence the target get no gradient (undefined).
   */
  backpropagate(graph: GraphBuilder, target: string, seed: string, wrt: string[]): Map<string, string | undefined> {
    const requiresGradient = new Set(wrt);
    for (const entry of this.entries) {
      if (entry.inputs.some((input) => requiresGradient.has(input))) for (const output of entry.outputs) requiresGradient.add(output);
    }
    const contributions = new Map<string, string[]>([[target, [seed]]]);
    const total = (value: string): string | undefined => {
      const parts = contributions.get(value);
      if (!parts || parts.length === 0) return undefined;
      if (parts.length === 1) return parts[0];
      const sum = graph.op('Sum', parts);
      contributions.set(value, [sum]);
      return sum;
    };
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index]!;
      const needed = entry.inputs.map((input) => requiresGradient.has(input));
      if (!needed.some(Boolean)) continue;
      const outputGradients = entry.outputs.map(total);
      if (outputGradients.every((gradient) => gradient === undefined)) continue;
      const inputGradients = entry.rule(outputGradients, needed);
      entry.inputs.forEach((input, position) => {
        const gradient = inputGradients[position];
        if (!needed[position] || gradient === undefined) return;
        const parts = contributions.get(input) ?? [];
        parts.push(gradient);
        contributions.set(input, parts);
      });
    }
    return new Map(wrt.map((value) => [value, total(value)]));
  }
}
