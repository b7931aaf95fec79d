import { InvalidArgumentError, PalError, PluginUnavailableError } from '@pal/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createTfjsBackend } from '../tfjs-backend.js';
import { classifyEngineFailure, engineFailureMessage } from './engine-failure-message.js';
import { loadTfjsEngine } from './load-tfjs-engine.js';

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the call should have failed').toBeInstanceOf(Error);
  return error as Error;
}

// The error tfjs-node-gpu 4.22.0 throws on require() when its install script did not run (recorded on
// this machine, where the script cannot download libtensorflow).
const missingAddonMessage =
  'The Node.js native addon module (tfjs_binding.node) can not be found at path: /app/node_modules/@tensorflow/' +
  "tfjs-node-gpu/lib/napi-v8/tfjs_binding.node. \nPlease run command 'npm rebuild @tensorflow/tfjs-node-gpu " +
  "--build-addon-from-source' to rebuild the native addon module.";

describe('loading a tfjs engine', () => {
  it('should explain a missing tfjs-node-gpu: not installed, the install-time download, its mirror variable and CUDA', async () => {
    const error = await failure(createTfjsBackend({ engine: 'tfjs-node-gpu' }).load());
    expect(PluginUnavailableError.isInstance(error)).toBe(true);
    expect(error.message).toContain('[backend-tfjs]');
    expect(error.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(error.message).toContain('downloads libtensorflow');
    expect(error.message).toContain('TFJS_NODE_CDN_STORAGE');
    expect(error.message).toContain('allowBuilds');
    expect(error.message).toContain('CUDA 11.2 and cuDNN 8.1');
    expect(error.message).toContain("engine: 'tfjs-wasm'");
  });

  it('should explain a missing tfjs-node without a CUDA requirement', async () => {
    const error = await failure(loadTfjsEngine({ engine: 'tfjs-node' }));
    expect(PluginUnavailableError.isInstance(error)).toBe(true);
    expect(error.message).toContain('@tensorflow/tfjs-node is not installed');
    expect(error.message).toContain('TFJS_NODE_CDN_STORAGE');
    expect(error.message).not.toContain('CUDA');
  });

  it('should fail doCreateModel with the same explanation when the engine does not load', async () => {
    const backend = createTfjsBackend({ engine: 'tfjs-node-gpu' });
    const error = await failure(backend.doCreateModel(undefined as never));
    expect(error.message).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(backend.describe()).toEqual({ engine: 'tfjs-node-gpu', device: 'unknown (not loaded yet)' });
  });

  it('should read why an installed native engine failed from its error', () => {
    expect(classifyEngineFailure(new Error(missingAddonMessage))).toBe('native-library-missing');
    expect(classifyEngineFailure(new Error('libcudart.so.11.0: cannot open shared object file: No such file or directory'))).toBe('cuda-missing');
    expect(classifyEngineFailure(Object.assign(new Error("Cannot find module 'x'"), { code: 'MODULE_NOT_FOUND' }))).toBe('not-installed');
    expect(classifyEngineFailure(new Error('something else'))).toBe('other');
    const message = engineFailureMessage('tfjs-node-gpu', 'native-library-missing');
    expect(message).toContain('installed but its native library was not downloaded at install time');
    expect(message).toContain('npm rebuild @tensorflow/tfjs-node-gpu');
    expect(message).toContain('TFJS_NODE_CDN_STORAGE');
    expect(engineFailureMessage('tfjs-node-gpu', 'cuda-missing')).toContain('CUDA libraries it links against were not found');
  });

  it('should pick wasm when tfjs-backend-wasm is installed and nothing native is', async () => {
    const backend = createTfjsBackend();
    expect(backend.describe().engine).toBe('tfjs-auto');
    expect(await backend.load()).toEqual({ engine: 'tfjs-wasm', device: 'cpu' });
    expect(backend.describe()).toEqual({ engine: 'tfjs-wasm', device: 'cpu' });
  });

  it('should run on the module the user passes, on its active backend or the engine asked for', async () => {
    await tf.setBackend('cpu');
    expect(await createTfjsBackend({ tf }).load()).toEqual({ engine: 'tfjs-cpu', device: 'cpu' });
    expect(await createTfjsBackend({ tf, engine: 'tfjs-wasm' }).load()).toEqual({ engine: 'tfjs-wasm', device: 'cpu' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('should refuse a native engine on a tfjs module that does not have it', async () => {
    const error = await failure(createTfjsBackend({ tf, engine: 'tfjs-node' }).load());
    expect(PluginUnavailableError.isInstance(error)).toBe(true);
    expect(error.message).toContain('has no "tensorflow" backend registered');
  });

  it('should reject settings that are not a tfjs module or a known engine, naming the field', () => {
    for (const settings of [{ tf: {} }, { engine: 'tfjs-webgl' }]) {
      let error: unknown;
      try {
        createTfjsBackend(settings as never);
      } catch (caught) {
        error = caught;
      }
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect(PalError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/tf:|engine:/);
    }
  });
});
