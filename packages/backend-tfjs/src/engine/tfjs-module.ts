import type * as tfjs from '@tensorflow/tfjs';

/**
 * The TensorFlow.js API the backend runs on: the module of `@tensorflow/tfjs`, `@tensorflow/tfjs-node` or
 * `@tensorflow/tfjs-node-gpu` (the node packages re-export the whole tfjs API).
 */
export type TfjsModule = typeof tfjs;

/** Tensor types of the tfjs API, re-exported so model code needs no value import of tfjs. */
export type Tensor = tfjs.Tensor;
export type Tensor1D = tfjs.Tensor1D;
export type Tensor2D = tfjs.Tensor2D;
export type Scalar = tfjs.Scalar;
export type Variable = tfjs.Variable;

/** The engines the backend knows how to load: native TensorFlow (GPU or CPU), WebAssembly, or plain JavaScript. */
export const tfjsEngineNames = ['tfjs-node-gpu', 'tfjs-node', 'tfjs-wasm', 'tfjs-cpu'] as const;
export type TfjsEngineName = (typeof tfjsEngineNames)[number];
