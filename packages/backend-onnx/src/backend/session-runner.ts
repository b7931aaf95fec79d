import * as ort from 'onnxruntime-node';
import { PluginUnavailableError } from '@pal/core';
import type { Feed } from './batch-feeds.js';

/** How sessions are created: execution providers in order of preference, CPU threads, arena. */
export interface RuntimeSettings {
  executionProviders: string[];
  threads: number | undefined;
  memoryArena: boolean;
}

/** Creates an ONNX Runtime session for serialised model bytes, naming the provider when one cannot load. */
export async function createSession(bytes: Uint8Array, runtime: RuntimeSettings): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: runtime.executionProviders,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    enableCpuMemArena: runtime.memoryArena,
  };
  if (runtime.threads !== undefined) options.intraOpNumThreads = runtime.threads;
  try {
    return await ort.InferenceSession.create(bytes, options);
  } catch (error) {
    const accelerated = runtime.executionProviders.filter((provider) => provider !== 'cpu');
    if (accelerated.length > 0) {
      throw new PluginUnavailableError(
        `onnxruntime-node could not create a session on execution provider(s) ${accelerated.map((name) => `"${name}"`).join(', ')}; ` +
          'check that its libraries are installed (onnxruntime-node downloads CUDA / TensorRT binaries in its install script)',
        { cause: error, source: 'backend-onnx' },
      );
    }
    throw error;
  }
}

/** Converts plain feeds into ONNX Runtime tensors (float32 and int64 arrays are wrapped, not copied). */
export function toTensors(feeds: Record<string, Feed>): Record<string, ort.Tensor> {
  const tensors: Record<string, ort.Tensor> = {};
  for (const [name, feed] of Object.entries(feeds)) tensors[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
  return tensors;
}

/** A float32 scalar tensor (shape []). */
export function scalarTensor(value: number): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.of(value), []);
}

/** Names of the execution providers the installed onnxruntime-node knows about. */
export function supportedExecutionProviders(): string[] {
  return ort.listSupportedBackends().map((backend) => backend.name);
}

/**
 * Runs a session on the feeds it declares (batch feeds carry inputs some graphs do not read) and returns
 * the outputs' float data. With `outputs`, ONNX Runtime writes the `targets` outputs into the given
 * tensors' arrays, and only the `fetch` outputs are returned (onnxruntime-node also returns copies of
 * the targets, which are dropped).
 */
export async function runSession(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  outputs?: { targets: Record<string, ort.Tensor>; fetch: string[] },
): Promise<Record<string, Float32Array>> {
  const declared: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) if (feeds[name]) declared[name] = feeds[name];
  let results: ort.InferenceSession.ReturnType;
  if (outputs) {
    const fetches: Record<string, ort.Tensor | null> = { ...outputs.targets };
    for (const name of outputs.fetch) fetches[name] = null;
    results = await session.run(declared, fetches);
  } else {
    results = await session.run(declared);
  }
  const data: Record<string, Float32Array> = {};
  const owned = new Set(Object.values(outputs?.targets ?? {}).map((tensor) => (tensor.data as Float32Array).buffer));
  const dropped = new Set<ArrayBuffer>();
  for (const [name, tensor] of Object.entries(results)) {
    const array = tensor.data as Float32Array;
    if (!outputs || outputs.fetch.includes(name)) data[name] = array;
    // Only arrays that own their whole buffer: a shared buffer may hold someone else's data.
    else if (!owned.has(array.buffer) && array.byteOffset === 0 && array.byteLength === array.buffer.byteLength) dropped.add(array.buffer as ArrayBuffer);
  }
  // Transferring detaches the copies of the targets, which frees their memory now rather than at V8's
  // next full garbage collection (by then a few steps' copies pile up: about 90 MB more peak memory at
  // d = 1024, for about 15% more time per single-step run, measured in docs/performance.md).
  try {
    if (dropped.size > 0) structuredClone(null, { transfer: [...dropped] });
  } catch {
    // A buffer that cannot be transferred is left to the garbage collector.
  }
  return data;
}
