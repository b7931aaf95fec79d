export { createHashingTextEncoder, hashingTextEncoderSettingsSchema, type HashingTextEncoderSettings } from './hashing-text-encoder.js';
export {
  createEmbeddingCache,
  embeddingCacheFileName,
  type EmbeddingCache,
  type EmbeddingCacheEntry,
  type EmbeddingCacheStore,
} from './embedding-cache.js';
export { EmbeddingCacheError } from './embedding-cache-error.js';
export { inputContentKey, textContentKey } from './input-content-key.js';
export { embedWithCache, embedWithCacheOptionsSchema, type EmbedWithCacheOptions, type EmbeddingProgress } from './embed-with-cache.js';
export {
  embedPreferenceExamples,
  embedPreferenceExamplesOptionsSchema,
  JOINT_SEPARATOR,
  type EmbedPreferenceExamplesOptions,
  type EmbeddedPreferenceData,
  type PreferenceEmbeddingProgress,
} from './embed-preference-examples.js';
