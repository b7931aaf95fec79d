import type { Activation, LinearLayerInfo, ProjectorLayout } from '@pal/core';
import type { Tensor, Tensor1D, Tensor2D, TfjsModule } from '../engine/tfjs-module.js';

const INV_SQRT2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

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

/** An activation; GELU is the exact erf form 0.5 z (1 + erf(z / sqrt 2)), PyTorch's default. */
function activate(tf: TfjsModule, activation: Activation, z: Tensor): Tensor {
  if (activation === 'relu') return tf.relu(z);
  if (activation === 'gelu') return tf.mul(tf.mul(z, 0.5), tf.add(tf.erf(tf.mul(z, INV_SQRT2)), 1));
  return z;
}

/** The activation's derivative at z: step(z) for relu, Phi(z) + z phi(z) for GELU. */
function activationDerivative(tf: TfjsModule, activation: Activation, z: Tensor): Tensor | undefined {
  if (activation === 'relu') return tf.step(z);
  if (activation === 'gelu') {
    const cdf = tf.mul(tf.add(tf.erf(tf.mul(z, INV_SQRT2)), 1), 0.5);
    return tf.add(cdf, tf.mul(z, tf.mul(tf.exp(tf.mul(tf.square(z), -0.5)), INV_SQRT_2PI)));
  }
  return undefined;
}

/** How one dense layer runs: its activation, optional dropout before it, and what needs a gradient. */
export interface DenseOptions {
  activation?: Activation;
  /** Drop probability and the seed of this layer's mask (training mode only). */
  dropout?: { rate: number; seed: number };
  withBias?: boolean;
  /** The input is data, not a function of the parameters: no dX product in the backward pass. */
  constantInput?: boolean;
}

/**
 * One block ACT(Dropout(x W^T + b)) in core's layout, W [out, in], as a single op with its own gradient.
 * It keeps only x, W, the pre-activation and the dropout mask for the backward pass (tfjs autodiff of
 * the composed ops would keep about seven activations per layer, more than the wasm heap holds at batch
 * 4096 with d = 1024). The mask is tf.dropout's: floor(U[0, 1) + keep) / keep drawn with the given seed.
 * (Not tf.fused.matMul: on tfjs-backend-wasm 4.22 its transposeB + bias path returns wrong rows.)
 */
export function denseLayer(tf: TfjsModule, layer: LinearLayerInfo, parameters: Map<string, Tensor>, input: Tensor2D, options: DenseOptions = {}): Tensor2D {
  const activation = options.activation ?? 'linear';
  const withBias = options.withBias ?? true;
  const dense = tf.customGrad((x, w, b, save) => {
    const [data, weight, bias] = [x as Tensor2D, w as Tensor2D, b as Tensor1D];
    let mask: Tensor | undefined;
    const preActivation = tf.tidy(() => {
      const linear = withBias ? tf.add(product(tf, data, weight, false, true), bias) : product(tf, data, weight, false, true);
      if (!options.dropout) return linear;
      const keep = 1 - options.dropout.rate;
      mask = tf.keep(tf.div(tf.floor(tf.add(tf.randomUniform(linear.shape, 0, 1, 'float32', options.dropout.seed), keep)), keep));
      return tf.mul(linear, mask);
    });
    // Saved positions are fixed (the mask slot is a placeholder without dropout) so the gradient can read them.
    (save as (tensors: Tensor[]) => void)([data, weight, preActivation, mask ?? preActivation, bias]);
    const value = activation === 'linear' ? preActivation : tf.tidy(() => activate(tf, activation, preActivation));
    if (value !== preActivation) preActivation.dispose();
    mask?.dispose();
    return {
      value,
      gradFunc: (dy, saved) => {
        const [savedInput, savedWeight, savedPreActivation, savedMask, savedBias] = saved as Tensor2D[];
        let gradient = dy as Tensor2D;
        const derivative = activationDerivative(tf, activation, savedPreActivation!);
        if (derivative) gradient = tf.mul(gradient, derivative);
        if (options.dropout) gradient = tf.mul(gradient, savedMask!);
        const inputGradient = options.constantInput ? tf.zerosLike(savedInput!) : product(tf, gradient, savedWeight!, false, false);
        const biasGradient = withBias ? tf.sum(gradient, 0) : tf.zerosLike(savedBias!);
        return [inputGradient, product(tf, gradient, savedInput!, true, false), biasGradient];
      },
    };
  });
  return dense(input, parameters.get(layer.weight)!, parameters.get(layer.bias)!) as Tensor2D;
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
    current = denseLayer(tf, layer, parameters, current, {
      activation: spec.activation,
      dropout: nextSeed && spec.dropout > 0 ? { rate: spec.dropout, seed: nextSeed() } : undefined,
      constantInput: index === 0 && options.constantInput,
    });
  });
  return current;
}

/** Runs a projector on data rows: its hidden blocks, a final Linear, and x + mlp(x) when residual. */
export function mlpForward(tf: TfjsModule, layout: ProjectorLayout, parameters: Map<string, Tensor>, input: Tensor2D, nextSeed?: () => number): Tensor2D {
  const hidden = mlpHidden(tf, layout, parameters, input, { nextSeed, constantInput: true });
  const output = denseLayer(tf, layout.layers.at(-1)!, parameters, hidden, { constantInput: layout.layers.length === 1 });
  return layout.spec.residual ? (tf.add(output, input) as Tensor2D) : output;
}
