import { z } from 'zod';
import { modelDefinitionSchema } from '../model/model-definition.js';

/** The checkpoint format this version of @pal/core writes and the only one it reads. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** Name of the manifest inside a checkpoint directory. */
export const CHECKPOINT_MANIFEST_FILE = 'manifest.json';

/** Content-addressed weights file name: `weights.<first 16 hex digits of its sha256>.safetensors`. */
export const checkpointWeightsFilePattern = /^weights\.([0-9a-f]{16})\.safetensors$/;

/** Where a checkpoint came from; free-form beyond the named fields so tools can record what they need. */
export const checkpointProvenanceSchema = z.looseObject({
  /** Backend name, e.g. `reference` or `onnx`. */
  backend: z.string().optional(),
  /** Engine inside the backend, e.g. `tfjs-wasm` or `cpu`. */
  engine: z.string().optional(),
  dataset: z.string().optional(),
  seed: z.number().optional(),
  trainOptions: z.record(z.string(), z.unknown()).optional(),
  metrics: z.record(z.string(), z.unknown()).optional(),
});
export type CheckpointProvenance = z.infer<typeof checkpointProvenanceSchema>;

/** The `weights` entry of a manifest: the safetensors file it references, its full sha256 and its size. */
export const checkpointWeightsEntrySchema = z
  .object({
    file: z.string().regex(checkpointWeightsFilePattern),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bytes: z.number().int().nonnegative(),
  })
  .refine((entry) => entry.sha256.startsWith(checkpointWeightsFilePattern.exec(entry.file)?.[1] ?? '-'), {
    message: 'expected the file name to carry the first 16 hex digits of sha256',
    path: ['file'],
  });

/** Schema of `manifest.json` (format version 1). */
export const checkpointManifestSchema = z.object({
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  library: z.literal('@pal/core'),
  createdAt: z.iso.datetime(),
  definition: modelDefinitionSchema,
  userIds: z.array(z.string().min(1)).superRefine((ids, context) => {
    const seen = new Set<string>();
    ids.forEach((id, index) => {
      if (seen.has(id)) context.addIssue({ code: 'custom', message: `expected unique user ids, found "${id}" again`, path: [index] });
      seen.add(id);
    });
  }),
  provenance: checkpointProvenanceSchema,
  weights: checkpointWeightsEntrySchema,
});
export type CheckpointManifest = z.infer<typeof checkpointManifestSchema>;
