import type { LinearLayerInfo, ProjectorLayout } from '@pal/core';
import type { Tensor, Tensor2D, TfjsModule } from '../engine/tfjs-module.js';

const INV_SQRT2 = 1 / Math.SQRT2;

/** Exact GELU x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default (not the tanh approximation). */
function gelu(tf: TfjsModule, x: Tensor): Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, INV_SQRT2)), 1));
}

/**
 * x^(T?) y^(T?), laid out for the engine's fastest product. The wasm engine multiplies untransposed
 * operands with XNNPACK (about 30 GFLOP/s on one core here) but takes a slow path for transposed ones
 * (1-3 GFLOP/s); the cpu engine's loops run fastest on x y^T (both read along rows). Explicit transposes
 * are O(n d) copies against the O(n d^2) product. Native TensorFlow transposes inside the product.
 */
function product(tf: TfjsModule, x: Tensor2D, y: Tensor2D, transposeX: boolean, transposeY: boolean): Tensor2D {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return tf.matMul(x, y, transposeX, transposeY);
  const left = transposeX ? tf.transpose(x) : x;
  return backend === 'wasm' ? tf.matMul(left, transposeY ? tf.transpose(y) : y) : tf.matMul(left, transposeY ? y : tf.transpose(y), false, true);
}

/**
 * A Linear layer in core's layout, W [out, in]: y = x W^T (+ b), with its own gradient: dX = dY W and
 * dW = dY^T X (through `product`), and no dX product when the input is data rather than a function of
 * the parameters. (Not tf.fused.matMul: on tfjs-backend-wasm 4.22 its transposeB + bias path returns
 * wrong rows after the first.)
 */
export function linearLayer(
  tf: TfjsModule,
  layer: LinearLayerInfo,
  parameters: Map<string, Tensor>,
  input: Tensor2D,
  options: { withBias?: boolean; constantInput?: boolean } = {},
): Tensor2D {
  const linear = tf.customGrad((x, w, save) => {
    const inputs = [x as Tensor2D, w as Tensor2D];
    (save as (tensors: Tensor[]) => void)(inputs);
    return {
      value: product(tf, inputs[0]!, inputs[1]!, false, true),
      gradFunc: (dy, saved) => {
        const [savedInput, savedWeight] = saved as Tensor2D[];
        const outputGradient = dy as Tensor2D;
        const inputGradient = options.constantInput ? tf.zerosLike(savedInput!) : product(tf, outputGradient, savedWeight!, false, false);
        return [inputGradient, product(tf, outputGradient, savedInput!, true, false)];
      },
    };
  });
  const output = linear(input, parameters.get(layer.weight)!) as Tensor2D;
  return options.withBias === false ? output : (tf.add(output, parameters.get(layer.bias)!) as Tensor2D);
}

/**
 * The hidden blocks of a projector, Linear -> Dropout -> ACT each: the input of its final Linear layer.
 * Dropout runs only when `nextSeed` is given (training mode), one fresh seed per dropout layer.
 * `constantInput` says the input is data (no gradient needed), not a function of the parameters.
 */
export function mlpHidden(
  tf: TfjsModule,
  layout: ProjectorLayout,
  parameters: Map<string, Tensor>,
  input: Tensor2D,
  options: { nextSeed?: () => number; constantInput: boolean },
): Tensor2D {
  const { spec, layers } = layout;
  const { nextSeed } = options;
  let current: Tensor2D = input;
  layers.slice(0, -1).forEach((layer, index) => {
    let z: Tensor = linearLayer(tf, layer, parameters, current, { constantInput: index === 0 && options.constantInput });
    if (nextSeed && spec.dropout > 0) z = tf.dropout(z, spec.dropout, undefined, nextSeed());
    if (spec.activation === 'relu') z = tf.relu(z);
    else if (spec.activation === 'gelu') z = gelu(tf, z);
    current = z as Tensor2D;
  });
  return current;
}

/** Runs a projector on data rows: its hidden blocks, a final Linear, and x + mlp(x) when residual. */
export function mlpForward(tf: TfjsModule, layout: ProjectorLayout, parameters: Map<string, Tensor>, input: Tensor2D, nextSeed?: () => number): Tensor2D {
  const hidden = mlpHidden(tf, layout, parameters, input, { nextSeed, constantInput: true });
  const output = linearLayer(tf, layout.layers.at(-1)!, parameters, hidden, { constantInput: layout.layers.length === 1 });
  return layout.spec.residual ? (tf.add(output, input) as Tensor2D) : output;
}
