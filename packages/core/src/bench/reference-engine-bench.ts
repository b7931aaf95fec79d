/**
 * `pnpm bench` for the reference engine: training comparisons per second on PAL-A and PAL-B models of the
 * sizes the quickstart and the synthetic experiment use. A benchmark, not a test: it prints figures only.
 */
import { createReferenceBackend } from '../engine/reference/reference-backend.js';
import { initializeWeights } from '../model/initialize-weights.js';
import { parseModelDefinition, type ModelDefinitionInput } from '../model/model-definition.js';
import { parameterGroupSchema } from '../model/parameter-layout.js';
import { lossSettingsSchema } from '../losses/loss-settings.js';
import { optimizerSettingsSchema } from '../optim/optimizer-settings.js';
import { randomComparisonBatch } from '../synthetic/random-comparison-batch.js';

interface Workload {
  name: string;
  definition: ModelDefinitionInput;
  batchSize: number;
  items?: number;
  prompts?: number;
}

const workloads: Workload[] = [
  { name: 'PAL-A d=16 linear (synthetic, paper D.2)', definition: { kind: 'pal-a', numPrototypes: 3, itemDim: 16, latentDim: 16, projector: 'mlp0-linear-dropout0' }, batchSize: 256 },
  { name: 'PAL-B 512->32 K=4 mlp1-gelu (Personas-shaped: 2 items)', definition: { kind: 'pal-b', numPrototypes: 4, itemDim: 512, promptDim: 512, latentDim: 32, itemProjector: 'mlp1-gelu-dropout0', promptProjector: 'mlp1-gelu-dropout0' }, batchSize: 256, items: 2, prompts: 200 },
  { name: 'PAL-B 256->64 K=2 mlp2-gelu (random pairs)', definition: { kind: 'pal-b', numPrototypes: 2, itemDim: 256, promptDim: 256, latentDim: 64, itemProjector: 'mlp2-gelu-dropout0', promptProjector: 'mlp2-gelu-dropout0' }, batchSize: 256 },
];

async function main(): Promise<void> {
  const backend = createReferenceBackend();
  console.log('reference engine (pure TypeScript, float64), training step = forward + backward + AdamW');
  for (const workload of workloads) {
    const definition = parseModelDefinition(workload.definition);
    const { model } = await backend.doCreateModel({
      definition,
      weights: initializeWeights(definition, 100, 1),
      optimizer: optimizerSettingsSchema.parse({}),
      loss: lossSettingsSchema.parse({}),
      trainableGroups: [...parameterGroupSchema.options],
    });
    const batch = randomComparisonBatch({ seed: 1, count: workload.batchSize, numUsers: 100, itemDim: definition.itemDim, promptDim: Math.max(definition.promptDim, 1), items: workload.items, prompts: workload.prompts });
    await model.doTrainStep(batch, { step: 1, seed: 1 });
    let steps = 0;
    const started = performance.now();
    while (performance.now() - started < 3000) await model.doTrainStep(batch, { step: ++steps + 1, seed: steps });
    const seconds = (performance.now() - started) / 1000;
    console.log(`${workload.name}: ${Math.round((steps * workload.batchSize) / seconds).toLocaleString('en-US')} comparisons/s (batch ${workload.batchSize}, ${steps} steps)`);
    await model.doDispose();
  }
}

await main();
