import { z } from 'zod';
import { PluginUnavailableError, parseOptions, type ComputeBackendV1 } from '@pal/core';
import { OnnxModel } from './onnx-model.js';
import { SessionCache } from './session-cache.js';
import { supportedExecutionProviders } from './session-runner.js';

/** Settings of `createOnnxBackend`, validated at the call. */
export const onnxBackendSettingsSchema = z
  .object({
    /** ONNX Runtime execution providers in order of preference, e.g. ['cuda', 'cpu']; CPU by default. */
    executionProviders: z.array(z.string().min(1)).min(1).default(['cpu']),
    /** Intra-op threads of each session; ONNX Runtime's default (one per core) when omitted. */
    threads: z.number().int().positive().optional(),
    /**
     * ONNX Runtime's CPU memory arena. Off by default: peak memory stays lower (the arena rounds its
     * growth up and keeps what it took); on, large batches (activations above glibc's 32 MB mmap limit)
     * train about 15% faster.
     */
    memoryArena: z.boolean().default(false),
  })
  .strict();

/** Settings of `createOnnxBackend`. */
export type OnnxBackendSettings = z.input<typeof onnxBackendSettingsSchema>;

/**
 * A ComputeBackendV1 on ONNX Runtime (onnxruntime-node). It builds each model's training step (forward,
 * reverse-mode gradients and AdamW) as one ONNX graph, so a `session.run` trains one step; evaluation,
 * gradients and scoring get their own graphs. CPU by default; any provider of the installed runtime can
 * be asked for.
 */
export function createOnnxBackend(settings: OnnxBackendSettings = {}): ComputeBackendV1 {
  const parsed = parseOptions(onnxBackendSettingsSchema, settings, 'onnx backend settings');
  const available = supportedExecutionProviders();
  for (const provider of parsed.executionProviders) {
    if (!available.includes(provider)) {
      throw new PluginUnavailableError(
        `execution provider "${provider}" is not available in the installed onnxruntime-node (it has: ${available.join(', ')})`,
        { source: 'backend-onnx' },
      );
    }
  }
  const sessions = new SessionCache({ executionProviders: parsed.executionProviders, threads: parsed.threads, memoryArena: parsed.memoryArena });
  return {
    specificationVersion: 'v1',
    name: 'onnx',
    describe: () => ({ engine: 'onnxruntime-node', device: parsed.executionProviders[0]! }),
    doCreateModel: async (options) => ({ model: new OnnxModel(options, sessions), warnings: [] }),
  };
}
