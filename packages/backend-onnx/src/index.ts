export { createOnnxBackend, onnxBackendSettingsSchema, type OnnxBackendSettings } from './backend/onnx-backend.js';
export {
  exportOnnxRewardModel,
  exportOnnxRewardModelOptionsSchema,
  RewardModelTensors,
  type ExportOnnxRewardModelOptions,
  type ExportedRewardModel,
} from './export/export-reward-model.js';
