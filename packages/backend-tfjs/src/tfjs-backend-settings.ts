import { z } from 'zod';
import { tfjsEngineNames, type TfjsModule } from './engine/tfjs-module.js';

function isTfjsModule(value: unknown): value is TfjsModule {
  const candidate = value as Partial<Record<'tensor' | 'setBackend' | 'variableGrads', unknown>> | null;
  return typeof value === 'object' && candidate !== null && ['tensor', 'setBackend', 'variableGrads'].every((name) => typeof candidate[name as 'tensor'] === 'function');
}

/**
 * Settings of `createTfjsBackend`. `tf` is the tfjs module the user imported (any of @tensorflow/tfjs,
 * -node, -node-gpu); `engine` picks what to run on: `auto` keeps the given module's active backend, or
 * without `tf` imports the first installed engine; a named engine is loaded or switched to.
 * `wasmPaths` overrides the folder (or URL prefix) the wasm engine loads its .wasm files from.
 */
export const tfjsBackendSettingsSchema = z.object({
  tf: z.custom<TfjsModule>(isTfjsModule, { message: 'expected a TensorFlow.js module, e.g. `await import("@tensorflow/tfjs-node-gpu")`' }).optional(),
  engine: z.enum(['auto', ...tfjsEngineNames]).default('auto'),
  wasmPaths: z.string().min(1).optional(),
});
/** What `createTfjsBackend` accepts (every field optional). */
export type TfjsBackendSettings = z.input<typeof tfjsBackendSettingsSchema>;
