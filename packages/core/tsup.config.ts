import { palTsupConfig } from '@pal/tsconfig/tsup-preset.js';

export default palTsupConfig(['src/index.ts', 'src/test/index.ts', 'src/bench/reference-engine-bench.ts']);
