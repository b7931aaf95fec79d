import { createRequire } from 'node:module';
import path from 'node:path';
import { PluginUnavailableError } from '@pal/core';
import { describeTfjsBackend } from './describe-tfjs-backend.js';
import { classifyEngineFailure, engineFailureMessage, enginePackages } from './engine-failure-message.js';
import type { TfjsEngineName, TfjsModule } from './tfjs-module.js';

const SOURCE = 'backend-tfjs';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';

/** A tfjs module with the backend the model must run on, and how that backend describes itself. */
export interface LoadedTfjsEngine {
  tf: TfjsModule;
  /** The tfjs backend name (`tensorflow`, `wasm`, `cpu`, ...) made active before every model call. */
  backendName: string;
  engine: string;
  device: string;
}

/** What to load: the user's own tfjs module and/or the engine to run it on. */
export interface LoadTfjsEngineOptions {
  tf?: TfjsModule;
  engine: 'auto' | TfjsEngineName;
  wasmPaths?: string;
}

const backendNames: Record<TfjsEngineName, string> = {
  'tfjs-node-gpu': 'tensorflow',
  'tfjs-node': 'tensorflow',
  'tfjs-wasm': 'wasm',
  'tfjs-cpu': 'cpu',
};

const require = createRequire(import.meta.url);

/**
 * Loads a TensorFlow.js engine. With `tf`, that module is used and switched to the requested engine's
 * backend (or left on its active backend for `auto`). Without it, `auto` imports the first installed of
 * tfjs-node-gpu, tfjs-node and tfjs (on wasm when tfjs-backend-wasm is installed, else cpu); a named
 * engine imports its own packages. An engine that does not load raises a PluginUnavailableError that
 * says why and what to do.
 */
export async function loadTfjsEngine(options: LoadTfjsEngineOptions): Promise<LoadedTfjsEngine> {
  if (options.tf) return activateEngine(options.tf, options.engine === 'auto' ? undefined : options.engine, options.wasmPaths);
  if (options.engine !== 'auto') return importEngine(options.engine, options.wasmPaths);
  for (const engine of ['tfjs-node-gpu', 'tfjs-node'] as const) {
    if (isInstalled(enginePackages[engine][0]!)) return importEngine(engine, options.wasmPaths);
  }
  if (isInstalled('@tensorflow/tfjs')) return importEngine(isInstalled(WASM_PACKAGE) ? 'tfjs-wasm' : 'tfjs-cpu', options.wasmPaths);
  throw new PluginUnavailableError(
    'no TensorFlow.js engine is installed: install @tensorflow/tfjs-node-gpu (NVIDIA GPU), @tensorflow/tfjs-node, or ' +
      '@tensorflow/tfjs with @tensorflow/tfjs-backend-wasm next to @pal/backend-tfjs, or pass your tfjs module as `tf`',
    { source: SOURCE },
  );
}

async function importEngine(engine: TfjsEngineName, wasmPaths: string | undefined): Promise<LoadedTfjsEngine> {
  const tf = await importEnginePackage<TfjsModule>(engine, enginePackages[engine][0]!);
  return activateEngine(tf, engine, wasmPaths);
}

async function activateEngine(tf: TfjsModule, engine: TfjsEngineName | undefined, wasmPaths: string | undefined): Promise<LoadedTfjsEngine> {
  if (engine === undefined) {
    await tf.ready();
    const backendName = tf.getBackend();
    return { tf, backendName, ...describeTfjsBackend(tf, backendName) };
  }
  const backendName = backendNames[engine];
  if (engine === 'tfjs-wasm') await registerWasmBackend(tf, wasmPaths);
  if (!tf.findBackendFactory(backendName)) {
    throw new PluginUnavailableError(
      `engine "${engine}": the tfjs module passed as \`tf\` has no "${backendName}" backend registered; pass the module of ` +
        `${enginePackages[engine].join(' + ')} (or leave \`tf\` out and the backend imports it)`,
      { source: SOURCE },
    );
  }
  let ready: boolean;
  try {
    ready = await tf.setBackend(backendName);
  } catch (error) {
    throw new PluginUnavailableError(`engine "${engine}": tfjs could not initialise its "${backendName}" backend`, { source: SOURCE, cause: error });
  }
  if (!ready) throw new PluginUnavailableError(`engine "${engine}": tfjs could not initialise its "${backendName}" backend`, { source: SOURCE });
  const described = describeTfjsBackend(tf, backendName);
  if (described.engine !== engine) {
    throw new PluginUnavailableError(
      `engine "${engine}" was requested but the tfjs module passed as \`tf\` runs "${described.engine}"; pass the module of ${enginePackages[engine][0]}`,
      { source: SOURCE },
    );
  }
  return { tf, backendName, ...described };
}

/** Registers the wasm backend on the shared tfjs engine, pointing it at the package's own .wasm files. */
async function registerWasmBackend(tf: TfjsModule, wasmPaths: string | undefined): Promise<void> {
  const alreadyInitialised = (tf.engine().registry as Record<string, unknown>)['wasm'] !== undefined;
  if (tf.findBackendFactory('wasm') && (alreadyInitialised || wasmPaths === undefined)) return;
  const wasm = await importEnginePackage<{ setWasmPaths(prefix: string): void }>('tfjs-wasm', WASM_PACKAGE);
  if (alreadyInitialised) return;
  // In Node the prefix may be a plain directory path; tfjs reads the .wasm binaries from it with fs.
  wasm.setWasmPaths(wasmPaths ?? path.join(path.dirname(require.resolve(`${WASM_PACKAGE}/package.json`)), 'dist') + path.sep);
}

function isInstalled(packageName: string): boolean {
  try {
    require.resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

async function importEnginePackage<T>(engine: TfjsEngineName, packageName: string): Promise<T> {
  if (!isInstalled(packageName)) {
    throw new PluginUnavailableError(engineFailureMessage(engine, 'not-installed', packageName), { source: SOURCE });
  }
  try {
    const namespace = (await import(packageName)) as { default?: T } & T;
    // CommonJS packages (all of tfjs's) expose their exports object as the default export.
    return namespace.default ?? namespace;
  } catch (error) {
    const kind = classifyEngineFailure(error);
    // The package resolved, so a module that is missing now is one of its own files or dependencies.
    throw new PluginUnavailableError(engineFailureMessage(engine, kind === 'not-installed' ? 'other' : kind, packageName), { source: SOURCE, cause: error });
  }
}
