import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/test/index.ts', 'src/bench/reference-engine-bench.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
