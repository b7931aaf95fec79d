// Scratch project 2 (run by scripts/ci-package-checks.sh outside the workspace, with only the packed
// @pal/core tarball installed by plain npm): loads the checkpoint that scratch project 1 trained and
// scores with it on core's reference engine, checking the rewards scratch project 1 recorded.
//
// Usage: node score-with-checkpoint.mjs <checkpoint-dir> <expected-scores.json>
import { readFile } from 'node:fs/promises';
import { createRewardModel, InvalidCheckpointError, loadCheckpoint, UnknownUserError } from '@pal/core';
import { check } from './check.mjs';

const [checkpointDirectory, expectedFile] = process.argv.slice(2);
if (!checkpointDirectory || !expectedFile) {
  console.error('usage: node score-with-checkpoint.mjs <checkpoint-dir> <expected-scores.json>');
  process.exit(2);
}

const expected = JSON.parse(await readFile(expectedFile, 'utf8'));
const checkpoint = await loadCheckpoint(checkpointDirectory);
console.log(`loaded ${checkpoint.definition.kind} checkpoint trained on ${checkpoint.manifest.provenance.backend ?? 'an unrecorded backend'} with ${checkpoint.userIds.length} users`);
check(checkpoint.definition.kind === 'pal-b', `the checkpoint holds a PAL-B model (found ${checkpoint.definition.kind})`);

const rewardModel = createRewardModel({ definition: checkpoint.definition, weights: checkpoint.weights, userIds: checkpoint.userIds });
const scores = await rewardModel.scoreBatch(expected.userIds, expected.prompts, expected.items);
let worst = 0;
scores.forEach((score, index) => (worst = Math.max(worst, Math.abs(score - expected.scores[index]))));
check(scores.length === expected.scores.length && worst <= 1e-6, `${scores.length} rewards match scratch project 1 within 1e-6 (max difference ${worst.toExponential(2)})`);

// Probes come in (left, right) pairs of one comparison; take the closest pair so the probability is not saturated.
let pair = 0;
for (let index = 0; index < expected.scores.length; index += 2) {
  if (Math.abs(expected.scores[index] - expected.scores[index + 1]) < Math.abs(expected.scores[pair] - expected.scores[pair + 1])) pair = index;
}
const probability = await rewardModel.preferenceProbability(expected.userIds[pair], expected.prompts[pair], expected.items[pair], expected.items[pair + 1]);
const fromRewards = 1 / (1 + Math.exp(-(expected.scores[pair] - expected.scores[pair + 1])));
check(Math.abs(probability - fromRewards) <= 1e-6, `preferenceProbability is sigma(r_left - r_right) (${probability.toFixed(6)} for comparison ${pair / 2})`);

let unknownUserError;
try {
  await rewardModel.score('nobody', expected.prompts[0], expected.items[0]);
} catch (error) {
  unknownUserError = error;
}
check(UnknownUserError.isInstance(unknownUserError), 'scoring an unknown user raises UnknownUserError');
await rewardModel.dispose();

let checkpointError;
try {
  await loadCheckpoint(`${checkpointDirectory}-missing`);
} catch (error) {
  checkpointError = error;
}
check(InvalidCheckpointError.isInstance(checkpointError), 'loading a missing checkpoint raises InvalidCheckpointError');
