import type * as tfjs from '@tensorflow/tfjs';

/**
 * The TensorFlow.js API the backend runs on: the module of `@tensorflow/tfjs`, `@tensorflow/tfjs-node` or
 * `@tensorflow/tfjs-node-gpu` (the node packages re-export the whole tfjs API).
 */
export type TfjsModule = typeof tfjs;

/** A tfjs tensor (type only: model code never imports tfjs itself, the user's module is passed in). */
export type Tensor = tfjs.Tensor;
/** A rank-1 tfjs tensor. */
export type Tensor1D = tfjs.Tensor1D;
/** A rank-2 tfjs tensor. */
export type Tensor2D = tfjs.Tensor2D;
/** A rank-0 tfjs tensor. */
export type Scalar = tfjs.Scalar;
/** A mutable tfjs tensor holding a parameter or an Adam moment. */
export type Variable = tfjs.Variable;

/** The engines the backend knows how to load: native TensorFlow (GPU or CPU), WebAssembly, or plain JavaScript. */
export const tfjsEngineNames = ['tfjs-node-gpu', 'tfjs-node', 'tfjs-wasm', 'tfjs-cpu'] as const;
/** One of `tfjsEngineNames`. */
export type TfjsEngineName = (typeof tfjsEngineNames)[number];
