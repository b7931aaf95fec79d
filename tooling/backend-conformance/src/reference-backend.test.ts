import { createReferenceBackend } from '@pal/core';
import { testComputeBackend } from './test-compute-backend.js';

// The kit run against the reference itself: keeps the kit honest (every check must pass on the oracle)
// and covers the reference engine's contract surface (export, localisation freezing, dropout).
testComputeBackend({ name: 'reference', create: () => createReferenceBackend(), tolerance: 1e-6, trajectoryTolerance: 1e-6 });
