import { z } from 'zod';
import { createMatrix, type Matrix } from '../data/matrix.js';
import type { EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { InvalidArgumentError } from '../errors/errors.js';
import { Random } from '../random/random.js';
import { parseOptions } from '../util/parse-options.js';

/**
 * Settings of the synthetic dataset of paper section 4.2 / appendix D.2: items and prototypes drawn
 * N(0, I/d), prototypes at least `minPrototypeDistance` apart, a linear ground-truth map f*, and users in
 * the prototypes' convex hull (`mixture`, weights softmax of N(0, I)) or on one prototype (`partition`).
 */
export const syntheticSettingsSchema = z.object({
  setting: z.enum(['mixture', 'partition']).default('mixture'),
  dimension: z.number().int().positive().default(16),
  numPrototypes: z.number().int().positive().default(3),
  numUsers: z.number().int().positive().default(100),
  pairsPerUser: z.number().int().positive().default(100),
  /** Held-out pairs per seen user (the paper uses 50), split evenly into validation and test. */
  heldOutPairsPerUser: z.number().int().nonnegative().default(50),
  numUnseenUsers: z.number().int().nonnegative().default(0),
  unseenPairsPerUser: z.number().int().nonnegative().default(100),
  minPrototypeDistance: z.number().nonnegative().default(1),
  seed: z.number().int().default(0),
  /** Width of the constant prompt embedding, for models that need a prompt (PAL-B). */
  promptDim: z.number().int().positive().default(1),
});
export type SyntheticSettings = z.output<typeof syntheticSettingsSchema>;
export type SyntheticSettingsInput = z.input<typeof syntheticSettingsSchema>;

/** A generated dataset with the ground truth behind it. */
export interface SyntheticPreferences {
  train: EmbeddedComparisons;
  validation: EmbeddedComparisons;
  test: EmbeddedComparisons;
  /** All comparisons of unseen users; take N per user for localisation and test on the rest. */
  unseen: EmbeddedComparisons;
  truth: {
    prototypes: Matrix;
    /** Mixture weights of each user (seen users first, then unseen). */
    userWeights: Matrix;
    /** Index of the prototype each user was drawn from (partition) or of the largest weight (mixture). */
    userGroup: Int32Array;
    projection: Matrix;
  };
}

/** Generates the synthetic preference dataset of paper section 4.2 (seeded, reproducible). */
export function generateSyntheticPreferences(settingsInput: SyntheticSettingsInput = {}): SyntheticPreferences {
  const settings = parseOptions(syntheticSettingsSchema, settingsInput, 'synthetic dataset settings');
  const random = new Random(settings.seed);
  const d = settings.dimension;
  const scale = 1 / Math.sqrt(d);
  const prototypes = drawPrototypes(settings, random);
  const projection = createMatrix(d, d);
  for (let index = 0; index < projection.data.length; index++) projection.data[index] = random.normal() * scale;

  const totalUsers = settings.numUsers + settings.numUnseenUsers;
  const userWeights = createMatrix(totalUsers, settings.numPrototypes);
  const userGroup = new Int32Array(totalUsers);
  const idealPoints = createMatrix(totalUsers, d);
  for (let user = 0; user < totalUsers; user++) {
    const weights = userWeights.data.subarray(user * settings.numPrototypes, (user + 1) * settings.numPrototypes);
    if (settings.setting === 'partition') {
      userGroup[user] = random.integer(settings.numPrototypes);
      weights[userGroup[user]!] = 1;
    } else {
      const logits = Array.from({ length: settings.numPrototypes }, () => random.normal());
      const max = Math.max(...logits);
      const sum = logits.reduce((total, value) => total + Math.exp(value - max), 0);
      logits.forEach((value, k) => (weights[k] = Math.exp(value - max) / sum));
      userGroup[user] = weights.indexOf(Math.max(...weights));
    }
    for (let k = 0; k < settings.numPrototypes; k++) {
      for (let i = 0; i < d; i++) idealPoints.data[user * d + i]! += weights[k]! * prototypes.data[k * d + i]!;
    }
  }
  const mappedIdeal = applyLinear(projection, idealPoints);
  const userIds = Array.from({ length: totalUsers }, (_, user) => (user < settings.numUsers ? `user-${user}` : `unseen-${user - settings.numUsers}`));
  const makeSplit = (users: number[], pairsPerUser: number) => generatePairs(settings, random, projection, mappedIdeal, users, pairsPerUser, userIds);

  const seen = Array.from({ length: settings.numUsers }, (_, user) => user);
  const unseen = Array.from({ length: settings.numUnseenUsers }, (_, index) => settings.numUsers + index);
  const validationPairs = Math.floor(settings.heldOutPairsPerUser / 2);
  return {
    train: makeSplit(seen, settings.pairsPerUser),
    validation: makeSplit(seen, validationPairs),
    test: makeSplit(seen, settings.heldOutPairsPerUser - validationPairs),
    unseen: makeSplit(unseen, settings.unseenPairsPerUser),
    truth: { prototypes, userWeights, userGroup, projection },
  };
}

function drawPrototypes(settings: SyntheticSettings, random: Random): Matrix {
  const d = settings.dimension;
  const scale = 1 / Math.sqrt(d);
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const prototypes = createMatrix(settings.numPrototypes, d);
    for (let index = 0; index < prototypes.data.length; index++) prototypes.data[index] = random.normal() * scale;
    let ok = true;
    for (let a = 0; a < settings.numPrototypes && ok; a++) {
      for (let b = a + 1; b < settings.numPrototypes && ok; b++) {
        let squared = 0;
        for (let i = 0; i < d; i++) squared += (prototypes.data[a * d + i]! - prototypes.data[b * d + i]!) ** 2;
        ok = Math.sqrt(squared) >= settings.minPrototypeDistance;
      }
    }
    if (ok) return prototypes;
  }
  throw new InvalidArgumentError(
    `synthetic dataset: could not place ${settings.numPrototypes} prototypes at least ${settings.minPrototypeDistance} apart in ${d} dimensions; lower minPrototypeDistance`,
  );
}

function applyLinear(projection: Matrix, points: Matrix): Matrix {
  const d = projection.rows;
  const out = createMatrix(points.rows, d);
  for (let row = 0; row < points.rows; row++) {
    for (let i = 0; i < d; i++) {
      let sum = 0;
      for (let j = 0; j < points.cols; j++) sum += projection.data[i * points.cols + j]! * points.data[row * points.cols + j]!;
      out.data[row * d + i] = sum;
    }
  }
  return out;
}

/** Fresh item pairs for each user; the label says which item is closer to the user's ideal point under f*. */
function generatePairs(
  settings: SyntheticSettings,
  random: Random,
  projection: Matrix,
  mappedIdeal: Matrix,
  users: number[],
  pairsPerUser: number,
  userIds: string[],
): EmbeddedComparisons {
  const d = settings.dimension;
  const scale = 1 / Math.sqrt(d);
  const count = users.length * pairsPerUser;
  const items = createMatrix(count * 2, d);
  for (let index = 0; index < items.data.length; index++) items.data[index] = random.normal() * scale;
  const mappedItems = applyLinear(projection, items);
  const user = new Int32Array(count);
  const label = new Int8Array(count);
  const leftIndex = new Int32Array(count);
  const rightIndex = new Int32Array(count);
  users.forEach((userIndex, position) => {
    for (let pair = 0; pair < pairsPerUser; pair++) {
      const row = position * pairsPerUser + pair;
      user[row] = userIndex;
      leftIndex[row] = 2 * row;
      rightIndex[row] = 2 * row + 1;
      const distance = (item: number) => {
        let squared = 0;
        for (let i = 0; i < d; i++) squared += (mappedItems.data[item * d + i]! - mappedIdeal.data[userIndex * d + i]!) ** 2;
        return squared;
      };
      label[row] = distance(2 * row) < distance(2 * row + 1) ? 1 : 0;
    }
  });
  const prompts = createMatrix(1, settings.promptDim);
  prompts.data.fill(1);
  return { prompts, items, promptIndex: new Int32Array(count), leftIndex, rightIndex, user, label, userIds };
}
