import { InvalidArgumentError, PluginUnavailableError } from '@pal/core';
import type { InferenceSession } from 'onnxruntime-node';

/** The onnxruntime-node module, loaded on first use so importing this package stays cheap. */
export type OnnxRuntime = typeof import('onnxruntime-node');

let runtime: Promise<OnnxRuntime> | undefined;

/** Loads onnxruntime-node once, turning a missing native binary into a PluginUnavailableError. */
export function loadOnnxRuntime(): Promise<OnnxRuntime> {
  runtime ??= import('onnxruntime-node').catch((error: unknown) => {
    runtime = undefined;
    throw new PluginUnavailableError('onnxruntime-node cannot be loaded on this machine; install it (npm install onnxruntime-node@1.30.0) for a supported platform', {
      source: 'encoder-onnx',
      cause: error,
    });
  });
  return runtime;
}

/** Opens an ONNX model on the CPU execution provider, naming the file when it cannot be loaded. */
export async function createOnnxSession(path: string, threads: number | undefined): Promise<{ ort: OnnxRuntime; session: InferenceSession }> {
  const ort = await loadOnnxRuntime();
  try {
    const session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      ...(threads !== undefined ? { intraOpNumThreads: threads } : {}),
    });
    return { ort, session };
  } catch (error) {
    throw new PluginUnavailableError(`cannot load the ONNX model ${path}: ONNX Runtime rejected it (see cause)`, { source: 'encoder-onnx', cause: error });
  }
}

/** The static last dimension of an output, when the model declares one. */
export function declaredWidth(session: InferenceSession, outputName: string): number | undefined {
  const metadata = session.outputMetadata.find((value) => value.name === outputName);
  if (!metadata || !metadata.isTensor || metadata.shape.length === 0) return undefined;
  const width = metadata.shape[metadata.shape.length - 1];
  return typeof width === 'number' && width > 0 ? width : undefined;
}

/**
 * The output to read: the one asked for, else the first of `preferred` the model has, else its first
 * output. An unknown requested name releases the session and throws, listing the outputs there are.
 */
export async function chooseOutput(session: InferenceSession, requested: string | undefined, preferred: string[]): Promise<string> {
  const outputName = requested ?? preferred.find((name) => session.outputNames.includes(name)) ?? session.outputNames[0]!;
  if (!session.outputNames.includes(outputName)) {
    await session.release();
    throw new InvalidArgumentError(`outputName: expected one of ${session.outputNames.join(', ')}, found '${outputName}'`, { source: 'encoder-onnx' });
  }
  return outputName;
}
