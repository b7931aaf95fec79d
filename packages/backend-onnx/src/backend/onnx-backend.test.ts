import { testComputeBackend } from '@pal/backend-conformance';
import { createOnnxBackend } from './onnx-backend.js';

testComputeBackend({ name: 'onnx (cpu)', create: () => createOnnxBackend() });
