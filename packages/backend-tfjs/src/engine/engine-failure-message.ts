import type { TfjsEngineName } from './tfjs-module.js';

/** npm packages each engine imports, in the order they are loaded. */
export const enginePackages: Record<TfjsEngineName, string[]> = {
  'tfjs-node-gpu': ['@tensorflow/tfjs-node-gpu'],
  'tfjs-node': ['@tensorflow/tfjs-node'],
  'tfjs-wasm': ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
  'tfjs-cpu': ['@tensorflow/tfjs'],
};

/** Why an engine did not load, as far as the error tells. */
export type EngineFailureKind = 'not-installed' | 'native-library-missing' | 'cuda-missing' | 'other';

/** Reads the failure kind from the error a `require` / `import` of an engine package threw. */
export function classifyEngineFailure(error: unknown): EngineFailureKind {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') return 'not-installed';
  if (/libcuda|libcudart|libcudnn|libcublas|libcufft|libcurand|libcusolver|libcusparse|cudaGetDevice|CUDA driver/i.test(message)) return 'cuda-missing';
  if (/tfjs_binding\.node|libtensorflow/i.test(message)) return 'native-library-missing';
  return 'other';
}

const NATIVE_INSTALL_HINT =
  'Its install script (scripts/install.js) downloads libtensorflow 2.9.1 and the prebuilt addon tfjs_binding.node from ' +
  'storage.googleapis.com; it fails without that network access, and pnpm 10+ skips it unless the package is allowed ' +
  '(`allowBuilds` in pnpm-workspace.yaml, or `pnpm approve-builds`). Re-run it with `npm rebuild {package}` once it can ' +
  'download, or point it at a mirror holding the same files with the environment variable TFJS_NODE_CDN_STORAGE (or ' +
  'TFJS_NODE_BASE_URI for the libtensorflow archive alone).';

/** What tfjs-node-gpu needs from the machine to run on the GPU. */
export const CUDA_HINT =
  'tfjs-node-gpu needs Linux x86-64 with an NVIDIA GPU and driver, CUDA 11.2 and cuDNN 8.1 (the versions libtensorflow ' +
  '2.9.1 was built against) on the library path (LD_LIBRARY_PATH).';

const FALLBACK_HINT = "To run without it, pass `engine: 'tfjs-wasm'` or `engine: 'tfjs-cpu'` (needs @tensorflow/tfjs).";

/**
 * The message of the error raised when an engine does not load: what failed, why, and what to do.
 * `missingPackage` names the package that is not installed when the failure is `not-installed`.
 */
export function engineFailureMessage(engine: TfjsEngineName, kind: EngineFailureKind, missingPackage?: string): string {
  const packageName = missingPackage ?? enginePackages[engine][0]!;
  const native = engine === 'tfjs-node' || engine === 'tfjs-node-gpu';
  const lines: string[] = [];
  switch (kind) {
    case 'not-installed':
      lines.push(`engine "${engine}" is not available: ${packageName} is not installed (it is an optional peer dependency of @pal/backend-tfjs).`);
      lines.push(`Install it next to @pal/backend-tfjs: npm install ${packageName}.`);
      if (native) lines.push(NATIVE_INSTALL_HINT.replace('{package}', packageName));
      break;
    case 'native-library-missing':
      lines.push(`engine "${engine}" is not available: ${packageName} is installed but its native library was not downloaded at install time.`);
      lines.push(NATIVE_INSTALL_HINT.replace('{package}', packageName));
      break;
    case 'cuda-missing':
      lines.push(`engine "${engine}" is not available: ${packageName} loaded its native library but the CUDA libraries it links against were not found.`);
      break;
    case 'other':
      lines.push(`engine "${engine}" is not available: importing ${packageName} failed (see the cause).`);
      if (native) lines.push(NATIVE_INSTALL_HINT.replace('{package}', packageName));
      break;
  }
  if (engine === 'tfjs-node-gpu') lines.push(CUDA_HINT);
  if (native) lines.push(FALLBACK_HINT);
  return lines.join(' ');
}
