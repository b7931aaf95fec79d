export { encodeSafetensors, decodeSafetensors, SAFETENSORS_DTYPE, type DecodedSafetensors } from './safetensors.js';
export { atomicWriteFile, syncDirectory } from './atomic-write.js';
export {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_MANIFEST_FILE,
  checkpointManifestSchema,
  checkpointProvenanceSchema,
  checkpointWeightsEntrySchema,
  type CheckpointManifest,
  type CheckpointProvenance,
} from './checkpoint-manifest.js';
export { saveCheckpoint, loadCheckpoint, type SaveCheckpointOptions, type LoadedCheckpoint } from './checkpoint.js';
