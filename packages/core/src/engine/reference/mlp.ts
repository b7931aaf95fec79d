import type { ProjectorLayout } from '../../model/parameter-layout.js';
import type { Random } from '../../random/random.js';
import { activate, activationBackward } from './activations.js';
import { linearBackward, linearForward } from './linear-algebra.js';

/** Float64 parameters (or their gradients) by core's parameter names. */
export type ParameterStore = Map<string, Float64Array>;

/** What the backward pass of one MLP call needs from its forward pass. */
export interface MlpTrace {
  rows: number;
  /** Input of each Linear layer. */
  inputs: Float64Array[];
  /** Pre-activation (after dropout) of each hidden layer. */
  preActivations: Float64Array[];
  /** Dropout scale masks (0 or 1/(1-p)) of each hidden layer, when dropout was applied. */
  masks: (Float64Array | undefined)[];
  output: Float64Array;
}

/**
 * Runs a projector: hidden blocks Linear -> Dropout -> ACT, a final Linear, and x + mlp(x) when residual.
 * Dropout is applied only when `random` is given (training mode).
 */
export function mlpForward(layout: ProjectorLayout, parameters: ParameterStore, input: Float64Array, rows: number, random?: Random): MlpTrace {
  const { spec, layers } = layout;
  const trace: MlpTrace = { rows, inputs: [], preActivations: [], masks: [], output: input };
  let current = input;
  layers.forEach((layer, index) => {
    trace.inputs.push(current);
    const z = linearForward(current, rows, layer.inputDim, parameters.get(layer.weight)!, parameters.get(layer.bias)!, layer.outputDim);
    if (index === layers.length - 1) {
      current = z;
      return;
    }
    let mask: Float64Array | undefined;
    if (random && spec.dropout > 0) {
      mask = new Float64Array(z.length);
      const keep = 1 - spec.dropout;
      for (let element = 0; element < z.length; element++) {
        mask[element] = random.uniform() < keep ? 1 / keep : 0;
        z[element]! *= mask[element]!;
      }
    }
    trace.masks.push(mask);
    trace.preActivations.push(z);
    const activated = new Float64Array(z.length);
    activate(spec.activation, z, activated);
    current = activated;
  });
  if (spec.residual) {
    const output = new Float64Array(current.length);
    for (let index = 0; index < output.length; index++) output[index] = current[index]! + input[index]!;
    current = output;
  }
  trace.output = current;
  return trace;
}

/** Backpropagates `outputGradient` through a traced MLP call, accumulating into `gradients`; returns dInput if asked. */
export function mlpBackward(
  layout: ProjectorLayout,
  parameters: ParameterStore,
  gradients: ParameterStore,
  trace: MlpTrace,
  outputGradient: Float64Array,
  needInputGradient: boolean,
): Float64Array | undefined {
  const { spec, layers } = layout;
  let gradient: Float64Array = outputGradient;
  for (let index = layers.length - 1; index >= 0; index--) {
    const layer = layers[index]!;
    if (index < layers.length - 1) {
      gradient = gradient.slice();
      activationBackward(spec.activation, trace.preActivations[index]!, gradient);
      const mask = trace.masks[index];
      if (mask) for (let element = 0; element < gradient.length; element++) gradient[element]! *= mask[element]!;
    }
    const needsInput = index > 0 || needInputGradient;
    const dx = linearBackward(
      trace.inputs[index]!,
      gradient,
      trace.rows,
      layer.inputDim,
      layer.outputDim,
      parameters.get(layer.weight)!,
      gradients.get(layer.weight)!,
      gradients.get(layer.bias)!,
      needsInput,
    );
    if (dx) gradient = dx;
  }
  if (!needInputGradient) return undefined;
  if (spec.residual) {
    const total = gradient.slice();
    for (let index = 0; index < total.length; index++) total[index]! += outputGradient[index]!;
    return total;
  }
  return gradient;
}
