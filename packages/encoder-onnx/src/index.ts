export { createOnnxTextEncoder, onnxTextEncoderSettingsSchema, textModelFiles, type OnnxTextEncoder, type OnnxTextEncoderSettings } from './onnx-text-encoder.js';
export {
  createOnnxImageEncoder,
  imageModelFiles,
  onnxImageEncoderSettingsSchema,
  type EmbedImagesOptions,
  type OnnxImageEncoder,
  type OnnxImageEncoderSettings,
} from './onnx-image-encoder.js';
export { imagePreprocessorConfigSchema, preprocessImage, type DecodedImage, type ImagePreprocessorConfig, type ImageSource } from './image-preprocessing.js';
export {
  modelSourceSettingsSchema,
  resolveModel,
  resolveModelSettingsSchema,
  type ModelFileRequirement,
  type ResolvedModel,
  type ResolveModelSettings,
} from './resolve-model.js';
export { normalizeRows, poolTokenStates, type Pooling } from './pooling.js';
export type { TruncationSide } from './text-tokenizer.js';
