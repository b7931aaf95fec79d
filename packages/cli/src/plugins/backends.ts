import { createReferenceBackend, optimizerSettingsSchema, lossSettingsSchema, initializeWeights, parseModelDefinition, PluginUnavailableError, Random, type ComputeBackendV1 } from '@pal/core';
import { UsageError } from '../cli-errors.js';
import { backendNames } from '../config/config-schema.js';

/** A concrete backend name (not `auto`). */
export type ConcreteBackendName = Exclude<(typeof backendNames)[number], 'auto'>;

/** The order `auto` tries backends in: fastest first. */
export const AUTO_BACKEND_ORDER: ConcreteBackendName[] = ['onnx', 'tfjs', 'reference'];

// Only the CLI maps names to plugins; each is imported on demand so a missing optional one costs nothing.
const factories: Record<ConcreteBackendName, () => Promise<ComputeBackendV1>> = {
  onnx: async () => (await import('@pal/backend-onnx')).createOnnxBackend(),
  tfjs: async () => (await import('@pal/backend-tfjs')).createTfjsBackend(),
  reference: async () => createReferenceBackend(),
};

/** A loaded backend and why the ones before it were skipped. */
export interface ResolvedBackend {
  backend: ComputeBackendV1;
  name: ConcreteBackendName;
  skipped: { name: ConcreteBackendName; reason: string }[];
}

/** Creates and disposes a tiny model, so "loads" means the engine really runs here. */
async function probe(backend: ComputeBackendV1): Promise<void> {
  const definition = parseModelDefinition({ kind: 'pal-b', numPrototypes: 1, itemDim: 2, promptDim: 2, latentDim: 2 });
  const { model } = await backend.doCreateModel({
    definition,
    weights: initializeWeights(definition, 1, new Random(0).fork()),
    optimizer: optimizerSettingsSchema.parse({}),
    loss: lossSettingsSchema.parse({}),
    trainableGroups: [],
  });
  await model.doDispose();
}

/** Loads one backend by name, throwing PluginUnavailableError (with the cause) when it cannot run here. */
export async function loadBackend(name: ConcreteBackendName): Promise<ComputeBackendV1> {
  try {
    const backend = await factories[name]();
    await probe(backend);
    return backend;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PluginUnavailableError(`backend "${name}" cannot be loaded: ${reason}`, { source: 'cli', cause: error });
  }
}

/** Resolves `--backend`: a named backend, or with `auto` the first of onnx, tfjs, reference that loads. */
export async function resolveBackend(name: string): Promise<ResolvedBackend> {
  if (!(backendNames as readonly string[]).includes(name)) {
    throw new UsageError(`unknown backend "${name}": expected one of ${backendNames.join(', ')}`, { source: 'cli' });
  }
  if (name !== 'auto') return { backend: await loadBackend(name as ConcreteBackendName), name: name as ConcreteBackendName, skipped: [] };
  const skipped: ResolvedBackend['skipped'] = [];
  for (const candidate of AUTO_BACKEND_ORDER) {
    try {
      return { backend: await loadBackend(candidate), name: candidate, skipped };
    } catch (error) {
      skipped.push({ name: candidate, reason: (error as Error).message });
    }
  }
  // The reference engine is pure TypeScript; reaching this line means something is badly broken.
  throw new PluginUnavailableError(`no backend could be loaded: ${skipped.map((entry) => entry.reason).join('; ')}`, { source: 'cli' });
}
