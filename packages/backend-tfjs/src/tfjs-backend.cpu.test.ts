import { testComputeBackend } from '@pal/backend-conformance';
import { createTfjsBackend } from './index.js';
import { describeTfjsEngine } from './test-support/tfjs-engine-suite.js';

testComputeBackend({ name: 'tfjs (cpu)', create: () => createTfjsBackend({ engine: 'tfjs-cpu' }) });
describeTfjsEngine('tfjs-cpu');
