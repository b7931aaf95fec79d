import { parseOptions, type ComputeBackendV1 } from '@pal/core';
import { CUDA_HINT } from './engine/engine-failure-message.js';
import { loadTfjsEngine, type LoadedTfjsEngine } from './engine/load-tfjs-engine.js';
import { TfjsModel } from './model/tfjs-model.js';
import { tfjsBackendSettingsSchema, type TfjsBackendSettings } from './tfjs-backend-settings.js';

/** A ComputeBackendV1 on TensorFlow.js that can also load its engine ahead of the first model. */
export interface TfjsBackend extends ComputeBackendV1 {
  /** Loads (or switches to) the engine now and returns what it runs on; the first model does this otherwise. */
  load(): Promise<{ engine: string; device: string }>;
}

/**
 * PAL on TensorFlow.js with the engine the user brings: pass your tfjs module as `tf`
 * (`createTfjsBackend({ tf: await import('@tensorflow/tfjs-node-gpu') })`), or leave it out and the first
 * installed of tfjs-node-gpu, tfjs-node and tfjs (wasm when tfjs-backend-wasm is installed, else cpu) is
 * imported. Training uses tfjs autodiff and AdamW with core's parameter groups.
 */
export function createTfjsBackend(settings: TfjsBackendSettings = {}): TfjsBackend {
  const options = parseOptions(tfjsBackendSettingsSchema, settings, 'tfjs backend settings');
  let loading: Promise<LoadedTfjsEngine> | undefined;
  let loaded: LoadedTfjsEngine | undefined;
  const load = async (): Promise<LoadedTfjsEngine> => {
    loading ??= loadTfjsEngine(options).then(
      (engine) => (loaded = engine),
      (error: unknown) => {
        // A failed load is not cached: the user may install the missing piece and try again.
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
  return {
    specificationVersion: 'v1',
    name: 'tfjs',
    describe: () => (loaded ? { engine: loaded.engine, device: loaded.device } : { engine: options.tf ? 'tfjs' : options.engine === 'auto' ? 'tfjs-auto' : options.engine, device: 'unknown (not loaded yet)' }),
    load: async () => {
      const { engine, device } = await load();
      return { engine, device };
    },
    doCreateModel: async (createOptions) => {
      const engine = await load();
      const warnings: string[] = [];
      if (engine.engine === 'tfjs-node-gpu' && engine.device !== 'gpu') warnings.push(`tfjs-node-gpu found no usable GPU and runs on the CPU. ${CUDA_HINT}`);
      return { model: await TfjsModel.create(engine, createOptions), warnings };
    },
  };
}
