export { createOnnxBackend, onnxBackendSettingsSchema, type OnnxBackendSettings } from './backend/onnx-backend.js';
