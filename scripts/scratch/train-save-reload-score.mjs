// Scratch project 1 (run by scripts/ci-package-checks.sh outside the workspace, with only the packed
// @pal/core and @pal/backend-onnx tarballs installed by plain npm): trains PAL-B on the synthetic data of
// paper section 4.2, saves a checkpoint, reloads it, and scores. Writes the probe inputs and the scores it
// expects to a JSON file that scratch project 2 (core only, reference engine) must reproduce.
//
// Usage: node train-save-reload-score.mjs <checkpoint-dir> <expected-scores.json> [onnx|reference]
import { writeFile } from 'node:fs/promises';
import {
  createReferenceBackend,
  createRewardModel,
  evaluate,
  generateSyntheticPreferences,
  loadCheckpoint,
  saveCheckpoint,
  train,
} from '@pal/core';
import { check } from './check.mjs';

const [checkpointDirectory, expectedFile, backendName = 'onnx'] = process.argv.slice(2);
if (!checkpointDirectory || !expectedFile) {
  console.error('usage: node train-save-reload-score.mjs <checkpoint-dir> <expected-scores.json> [onnx|reference]');
  process.exit(2);
}

/** Largest absolute difference between two equal-length numeric arrays. */
function maxAbsDifference(actual, expected) {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let index = 0; index < actual.length; index++) worst = Math.max(worst, Math.abs(actual[index] - expected[index]));
  return worst;
}

async function createBackend(name) {
  if (name === 'reference') return createReferenceBackend();
  // Imported by name so a user who installed only @pal/core never needs the ONNX package.
  const { createOnnxBackend } = await import('@pal/backend-onnx');
  return createOnnxBackend();
}

const backend = await createBackend(backendName);
console.log(`backend: ${backend.name} (${JSON.stringify(backend.describe())})`);

const dimension = 8;
const promptDim = 4;
const data = generateSyntheticPreferences({ setting: 'mixture', dimension, numPrototypes: 2, numUsers: 40, pairsPerUser: 150, heldOutPairsPerUser: 100, promptDim, seed: 3 });
const definition = {
  kind: 'pal-b',
  numPrototypes: 2,
  itemDim: dimension,
  promptDim,
  latentDim: dimension,
  itemProjector: 'mlp1-gelu-dropout0',
  promptProjector: 'mlp0-linear-dropout0',
};

const started = Date.now();
const trained = await train({
  backend,
  definition,
  train: data.train,
  validation: data.validation,
  options: {
    epochs: 20,
    batchSize: 200,
    seed: 5,
    optimizer: { groups: { projectors: { learningRate: 1e-2 }, userWeights: { learningRate: 5e-2 } } },
  },
});
const first = trained.history[0];
const best = trained.history[trained.bestEpoch - 1];
console.log(`trained ${trained.history.length} epochs in ${Date.now() - started} ms; train loss ${first.trainLoss.toFixed(4)} -> ${best.trainLoss.toFixed(4)} (epoch ${trained.bestEpoch} kept)`);
check(best.trainLoss < first.trainLoss, `training lowers the loss (${first.trainLoss.toFixed(4)} -> ${best.trainLoss.toFixed(4)})`);

const evaluation = await evaluate({ backend, model: trained.model, data: data.test });
check(evaluation.accuracy >= 0.85, `test accuracy of seen users is at least 0.85 (found ${evaluation.accuracy.toFixed(3)} on ${evaluation.count} comparisons)`);

await saveCheckpoint(checkpointDirectory, {
  definition: trained.model.definition,
  weights: trained.model.weights,
  userIds: trained.model.userIds,
  provenance: { backend: backend.name, dataset: 'synthetic-mixture', seed: 5, metrics: { testAccuracy: evaluation.accuracy } },
});
const loaded = await loadCheckpoint(checkpointDirectory);
check(JSON.stringify(loaded.userIds) === JSON.stringify(trained.model.userIds), `checkpoint keeps the ${trained.model.userIds.length} user ids in order`);
const weightNames = Object.keys(trained.model.weights);
const worstWeight = Math.max(...weightNames.map((name) => maxAbsDifference(loaded.weights[name].data, trained.model.weights[name].data)));
check(worstWeight === 0, `reloaded weights are bit-identical (${weightNames.length} tensors, max difference ${worstWeight})`);

// Probes: the first 32 test comparisons, left and right item of each, for the comparison's user.
const probeCount = Math.min(32, data.test.label.length);
const probes = { userIds: [], prompts: [], items: [] };
for (let row = 0; row < probeCount; row++) {
  const prompt = Array.from(data.test.prompts.data.subarray(data.test.promptIndex[row] * promptDim, (data.test.promptIndex[row] + 1) * promptDim));
  for (const index of [data.test.leftIndex[row], data.test.rightIndex[row]]) {
    probes.userIds.push(data.test.userIds[data.test.user[row]]);
    probes.prompts.push(prompt);
    probes.items.push(Array.from(data.test.items.data.subarray(index * dimension, (index + 1) * dimension)));
  }
}

const inMemory = createRewardModel(trained.model, backend);
const reloaded = createRewardModel({ definition: loaded.definition, weights: loaded.weights, userIds: loaded.userIds }, backend);
const reference = createRewardModel({ definition: loaded.definition, weights: loaded.weights, userIds: loaded.userIds });
const scoresInMemory = await inMemory.scoreBatch(probes.userIds, probes.prompts, probes.items);
const scoresReloaded = await reloaded.scoreBatch(probes.userIds, probes.prompts, probes.items);
const scoresReference = await reference.scoreBatch(probes.userIds, probes.prompts, probes.items);
await Promise.all([inMemory.dispose(), reloaded.dispose(), reference.dispose()]);

check(scoresReloaded.every(Number.isFinite), `${scoresReloaded.length} rewards are finite`);
check(maxAbsDifference(scoresReloaded, scoresInMemory) === 0, `the reloaded model scores exactly like the trained one on ${backend.name}`);
const engineDifference = maxAbsDifference(scoresReloaded, scoresReference);
check(engineDifference <= 1e-4, `${backend.name} and the reference engine agree within 1e-4 (max difference ${engineDifference.toExponential(2)})`);

await writeFile(expectedFile, `${JSON.stringify({ backend: backend.name, ...probes, scores: Array.from(scoresReference) })}\n`);
console.log(`wrote ${probes.userIds.length} probe scores to ${expectedFile}`);
