import { beforeAll, describe, expect, it } from 'vitest';
import { createReferenceBackend, generateSyntheticPreferences, train, usersPresent, type PalModel, type SyntheticPreferences, type TrainOptionsInput } from '@pal/core';
import { fewShotCurve } from './few-shot-curve.js';
import { kSweep } from './k-sweep.js';
import { perGroupAccuracy } from './per-group-accuracy.js';
import { seenUserAccuracy } from './seen-user-accuracy.js';
import { splitShotsPerUser, takeShotsPerUser } from './shots.js';
import { zeroShot } from './zero-shot.js';

const backend = createReferenceBackend();
// Partition setting of paper D.2 (every user on one of K* = 3 prototypes), scaled down to run in seconds.
const definition = { kind: 'pal-a', itemDim: 8, latentDim: 8, projector: 'mlp0-linear-dropout0', head: 'euclidean' } as const;
const trainOptions: TrainOptionsInput = {
  epochs: 25,
  batchSize: 100,
  seed: 3,
  optimizer: { groups: { projectors: { learningRate: 5e-3, weightDecay: 1e-3 }, prototypes: { learningRate: 5e-2 }, userWeights: { learningRate: 5e-2 } } },
};
const localizeOptions = { steps: 150, learningRate: 0.1 };

let data: SyntheticPreferences;
let pal: PalModel;
let baseline: PalModel;
let groups: Record<string, string>;
let unseen: { shots: SyntheticPreferences['unseen']; rest: SyntheticPreferences['unseen'] };

beforeAll(async () => {
  data = generateSyntheticPreferences({ setting: 'partition', dimension: 8, numPrototypes: 3, numUsers: 60, pairsPerUser: 80, heldOutPairsPerUser: 60, numUnseenUsers: 24, unseenPairsPerUser: 100, seed: 5 });
  const allIds = [...data.train.userIds];
  groups = Object.fromEntries(allIds.map((id, index) => [id, `prototype ${data.truth.userGroup[index]! + 1}`]));
  pal = (await train({ backend, definition: { ...definition, numPrototypes: 3 }, train: data.train, validation: data.validation, options: trainOptions })).model;
  baseline = (await train({ backend, definition: { ...definition, numPrototypes: 1 }, train: data.train, validation: data.validation, options: trainOptions })).model;
  const split = splitShotsPerUser(data.unseen, 40, 1);
  unseen = { shots: split.shots, rest: split.rest };
});

describe('shot selection', () => {
  it('should give every user min(N, available) comparisons and nest smaller N inside larger N', () => {
    const five = takeShotsPerUser(data.unseen, 5, 2);
    const ten = takeShotsPerUser(data.unseen, 10, 2);
    expect(five.label.length).toBe(24 * 5);
    expect(takeShotsPerUser(data.unseen, 500, 2).label.length).toBe(24 * 100);
    const key = (set: typeof five, row: number) => `${set.user[row]}:${Array.from(set.items.data.subarray(set.leftIndex[row]! * 8, set.leftIndex[row]! * 8 + 8)).join(',')}`;
    const tenKeys = new Set(Array.from({ length: ten.label.length }, (_, row) => key(ten, row)));
    for (let row = 0; row < five.label.length; row++) expect(tenKeys.has(key(five, row))).toBe(true);
  });

  it('should split each user into disjoint shots and rest', () => {
    const { shots, rest } = splitShotsPerUser(data.unseen, 30, 0);
    expect(shots.label.length + rest.label.length).toBe(data.unseen.label.length);
    expect(usersPresent(shots)).toEqual(usersPresent(rest));
  });
});

describe('evaluation protocols on the synthetic partition data', () => {
  it('should score PAL above the K = 1 baseline on seen users', async () => {
    const result = await seenUserAccuracy({ backend, model: pal, baseline, test: data.test });
    expect(result.count).toBe(data.test.label.length);
    expect(result.accuracy - result.baselineAccuracy!).toBeGreaterThan(0.1);
    expect(Object.keys(result.mixtures)).toHaveLength(60);
  });

  it('should rise with N on unseen users while the baseline stays flat', async () => {
    const curve = await fewShotCurve({ backend, model: pal, baseline, pool: unseen.shots, test: unseen.rest, shots: [40, 2, 10], localizeOptions });
    expect(curve.points.map((point) => point.shots)).toEqual([2, 10, 40]);
    const [two, , forty] = curve.points;
    expect(forty!.accuracy - two!.accuracy).toBeGreaterThan(0.05);
    expect(forty!.accuracy - forty!.baselineAccuracy!).toBeGreaterThan(0.1);
    expect(Math.abs(two!.baselineAccuracy! - forty!.baselineAccuracy!)).toBeLessThan(1e-12);
    expect(curve.localizedModels[40]!.userIds).toEqual(expect.arrayContaining(usersPresent(unseen.shots)));
  });

  it('should place zero-shot users at the population mixture, below few-shot accuracy', async () => {
    const zero = await zeroShot({ backend, model: pal, baseline, test: unseen.rest });
    const curve = await fewShotCurve({ backend, model: pal, pool: unseen.shots, test: unseen.rest, shots: [40], localizeOptions });
    expect(zero.users).toBe(24);
    expect(curve.points[0]!.accuracy - zero.accuracy).toBeGreaterThan(0.05);
  });

  it('should report every true group, with PAL ahead of the baseline in the group the baseline serves worst', async () => {
    const rows = await perGroupAccuracy({ backend, model: pal, baseline, test: data.test, groups });
    expect(rows.map((row) => row.group)).toEqual(['prototype 1', 'prototype 2', 'prototype 3']);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBe(data.test.label.length);
    const worst = rows.reduce((low, row) => (row.baselineAccuracy! < low.baselineAccuracy! ? row : low));
    expect(worst.accuracy - worst.baselineAccuracy!).toBeGreaterThan(0.1);
  });

  it('should add K = 1 to a K sweep and score K = K* above it', async () => {
    const sweep = await kSweep({ backend, definition: { ...definition, numPrototypes: 1 }, ks: [3], train: data.train, validation: data.validation, test: data.test, unseen: { pool: unseen.shots, test: unseen.rest, shots: 40 }, trainOptions: { ...trainOptions, epochs: 15 }, localizeOptions });
    expect(sweep.points.map((point) => point.k)).toEqual([1, 3]);
    expect(sweep.points[1]!.seenAccuracy - sweep.points[0]!.seenAccuracy).toBeGreaterThan(0.05);
    expect(sweep.points[1]!.unseenAccuracy! - sweep.points[0]!.unseenAccuracy!).toBeGreaterThan(0.05);
    expect(sweep.points[1]!.history.length).toBeGreaterThan(0);
  });

  it('should refuse shots that are not positive integers, naming them', async () => {
    await expect(fewShotCurve({ backend, model: pal, pool: unseen.shots, test: unseen.rest, shots: [0, 5] })).rejects.toThrow(/shots must be positive integers, found \[0, 5\]/);
  });
});
