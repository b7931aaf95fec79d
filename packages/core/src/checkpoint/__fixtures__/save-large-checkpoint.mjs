// Child process for the interrupted-save test: saves a ~200 MB PAL-A checkpoint over an existing one.
// Usage: node save-large-checkpoint.mjs <path to @pal/core dist/index.js> <checkpoint directory>
import { pathToFileURL } from 'node:url';

const [distIndex, directory] = process.argv.slice(2);
const core = await import(pathToFileURL(distIndex).href);
if (typeof core.saveCheckpoint !== 'function') {
  process.stderr.write(`${distIndex} does not export saveCheckpoint: rebuild @pal/core (pnpm build)\n`);
  process.exit(3);
}
const definition = core.parseModelDefinition({ kind: 'pal-a', numPrototypes: 2, itemDim: 4096, latentDim: 4096, projector: 'mlp2-linear-dropout0' });
const userIds = ['u0', 'u1', 'u2'];
const weights = {};
for (const info of core.parameterLayout(definition, userIds.length)) {
  const data = new Float32Array(info.shape.reduce((a, b) => a * b, 1));
  data.fill(0.25);
  weights[info.name] = { shape: info.shape, data };
}
await core.saveCheckpoint(directory, { definition, weights, userIds, provenance: { backend: 'interrupted-child' } });
process.stdout.write('saved\n');
