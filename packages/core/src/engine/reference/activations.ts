import type { Activation } from '../../model/projector-spec.js';
import { erf } from './erf.js';

const INV_SQRT2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Applies an activation element-wise into `out`. GELU is the exact erf form, as PyTorch's default. */
export function activate(activation: Activation, input: Float64Array, out: Float64Array): void {
  switch (activation) {
    case 'linear':
      out.set(input);
      return;
    case 'relu':
      for (let index = 0; index < input.length; index++) out[index] = input[index]! > 0 ? input[index]! : 0;
      return;
    case 'gelu':
      for (let index = 0; index < input.length; index++) {
        const x = input[index]!;
        out[index] = 0.5 * x * (1 + erf(x * INV_SQRT2));
      }
      return;
  }
}

/** Multiplies `gradient` in place by the activation's derivative at `input` (pre-activation values). */
export function activationBackward(activation: Activation, input: Float64Array, gradient: Float64Array): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let index = 0; index < input.length; index++) if (!(input[index]! > 0)) gradient[index] = 0;
      return;
    case 'gelu':
      for (let index = 0; index < input.length; index++) {
        const x = input[index]!;
        const derivative = 0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
        gradient[index]! *= derivative;
      }
      return;
  }
}
