import { palTsupConfig } from '@pal/tsconfig/tsup-preset.js';

export default palTsupConfig(['src/index.ts', 'src/bench/encoder-bench.ts']);
