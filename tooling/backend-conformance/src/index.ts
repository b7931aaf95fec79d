export { testComputeBackend, type ComputeBackendConformanceSettings } from './test-compute-backend.js';
export { expectArraysClose } from './expect-arrays-close.js';
export { conformanceCases, type ConformanceCase } from './conformance-cases.js';
