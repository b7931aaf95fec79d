import type { LinearLayerInfo, ProjectorLayout } from '@pal/core';
import type { Tensor, Tensor2D, TfjsModule } from '../engine/tfjs-module.js';

const INV_SQRT2 = 1 / Math.SQRT2;

/** Exact GELU x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default (not the tanh approximation). */
function gelu(tf: TfjsModule, x: Tensor): Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, INV_SQRT2)), 1));
}

/**
 * A Linear layer in core's layout, W [out, in]: y = x W^T (+ b). Not tf.fused.matMul: on
 * tfjs-backend-wasm 4.22 its transposeB + bias path returns wrong rows after the first.
 */
export function linearLayer(tf: TfjsModule, layer: LinearLayerInfo, parameters: Map<string, Tensor>, input: Tensor2D, withBias = true): Tensor2D {
  const product = tf.matMul(input, parameters.get(layer.weight) as Tensor2D, false, true);
  return withBias ? tf.add(product, parameters.get(layer.bias)!) : product;
}

/**
 * The hidden blocks of a projector, Linear -> Dropout -> ACT each: the input of its final Linear layer.
 * Dropout runs only when `nextSeed` is given (training mode), one fresh seed per dropout layer.
 */
export function mlpHidden(tf: TfjsModule, layout: ProjectorLayout, parameters: Map<string, Tensor>, input: Tensor2D, nextSeed?: () => number): Tensor2D {
  const { spec, layers } = layout;
  let current: Tensor2D = input;
  for (const layer of layers.slice(0, -1)) {
    let z: Tensor = linearLayer(tf, layer, parameters, current);
    if (nextSeed && spec.dropout > 0) z = tf.dropout(z, spec.dropout, undefined, nextSeed());
    if (spec.activation === 'relu') z = tf.relu(z);
    else if (spec.activation === 'gelu') z = gelu(tf, z);
    current = z as Tensor2D;
  }
  return current;
}

/** Runs a projector: its hidden blocks, a final Linear, and x + mlp(x) when residual. */
export function mlpForward(tf: TfjsModule, layout: ProjectorLayout, parameters: Map<string, Tensor>, input: Tensor2D, nextSeed?: () => number): Tensor2D {
  const output = linearLayer(tf, layout.layers.at(-1)!, parameters, mlpHidden(tf, layout, parameters, input, nextSeed));
  return layout.spec.residual ? tf.add(output, input) : output;
}
