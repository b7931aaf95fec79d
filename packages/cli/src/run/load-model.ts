import { loadCheckpoint, type CheckpointManifest, type PalModel } from '@pal/core';

/** A checkpoint read back as a model, with its manifest (provenance holds the encoder and groups). */
export async function loadModel(directory: string): Promise<{ model: PalModel; manifest: CheckpointManifest }> {
  const loaded = await loadCheckpoint(directory);
  return { model: { definition: loaded.definition, weights: loaded.weights, userIds: loaded.userIds }, manifest: loaded.manifest };
}
