import type { TfjsModule } from './tfjs-module.js';

/** What the native TensorFlow backend of tfjs-node exposes about itself. */
interface NativeBackendInfo {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

/**
 * Engine and device of a registered tfjs backend, in the words of `ComputeBackendV1.describe`:
 * the native TensorFlow backend reports whether it came from tfjs-node-gpu and whether it found a GPU.
 */
export function describeTfjsBackend(tf: TfjsModule, backendName: string): { engine: string; device: string } {
  switch (backendName) {
    case 'tensorflow': {
      const backend = tf.engine().findBackend(backendName) as unknown as NativeBackendInfo | null;
      return { engine: backend?.isGPUPackage ? 'tfjs-node-gpu' : 'tfjs-node', device: backend?.isUsingGpuDevice ? 'gpu' : 'cpu' };
    }
    case 'wasm':
    case 'cpu':
      return { engine: `tfjs-${backendName}`, device: 'cpu' };
    case 'webgl':
    case 'webgpu':
      return { engine: `tfjs-${backendName}`, device: 'gpu' };
    default:
      return { engine: `tfjs-${backendName}`, device: 'unknown' };
  }
}
