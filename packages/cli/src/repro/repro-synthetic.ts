import { generateSyntheticPreferences, type ComputeBackendV1, type TrainOptionsInput } from '@pal/core';
import { fewShotCurve, kSweep, splitShotsPerUser } from '@pal/eval';
import type { Output } from '../output/output.js';
import type { ReproPanel } from './repro-panel.js';

/** How large a synthetic reproduction runs: `default` is paper D.2 with fewer epochs; `small` is for tests. */
export type ReproScale = 'small' | 'default';

/** PAL-A with a linear f (a d x d projection, no bias) and the plain Euclidean head, paper D.2's toy model. */
export const syntheticDefinition = (d: number) => ({ kind: 'pal-a', itemDim: d, latentDim: d, projector: 'mlp0-linear-dropout0', head: 'euclidean', numPrototypes: 1 }) as const;

/** Paper D.2 uses Adam for 1,000 epochs; we run fewer epochs with larger learning rates (same optimum on this convex-ish problem). */
export const syntheticTrainOptions = (epochs: number): TrainOptionsInput => ({
  epochs,
  batchSize: 100,
  seed: 2,
  optimizer: { groups: { projectors: { learningRate: 5e-3, weightDecay: 1e-3 }, prototypes: { learningRate: 5e-2 }, userWeights: { learningRate: 5e-2 } } },
});
const localizeOptions = { steps: 200, learningRate: 0.1 };

/** Figure 5 (b-d) of the paper on the synthetic mixture data of section 4.2 (d = 16, delta = 1), PAL-A with a linear f. */
export async function reproSynthetic(backend: ComputeBackendV1, scale: ReproScale, output: Output): Promise<{ panels: ReproPanel[]; settings: Record<string, unknown> }> {
  const small = scale === 'small';
  const d = small ? 8 : 16;
  const epochs = small ? 25 : 60;
  const trueKs = small ? [2, 3] : [2, 3, 4, 5, 6];
  const samplesPerUser = small ? [20, 50] : [20, 40, 60, 80, 100];
  const newUserShots = small ? [5, 20] : [5, 10, 20, 30, 40, 50];
  const usersPerGroup = small ? 12 : 50;
  const panels: ReproPanel[] = [];

  // (b) PAL with K = K* against the homogeneous K = 1 model, N = 50 K* users, n = 50 pairs each.
  const b: ReproPanel = {
    id: 'synthetic-b',
    figure: 'Figure 5 (b)',
    title: 'seen accuracy against the true number of groups K*',
    xLabel: 'true groups K*',
    series: [{ name: 'PAL, K = K*', points: [] }, { name: 'K = 1', dashed: true, points: [] }],
    paper: 'the homogeneous K = 1 model stays sub-optimal; PAL gains about 7 points.',
  };
  for (const trueK of trueKs) {
    const data = generateSyntheticPreferences({ setting: 'mixture', dimension: d, numPrototypes: trueK, numUsers: usersPerGroup * trueK, pairsPerUser: 50, heldOutPairsPerUser: 50, seed: 10 + trueK });
    const sweep = await output.task(`synthetic (b) K* = ${trueK}`, () => kSweep({ backend, definition: syntheticDefinition(d), ks: [trueK], train: data.train, validation: data.validation, test: data.test, trainOptions: syntheticTrainOptions(epochs) }));
    b.series[0]!.points.push({ x: trueK, y: sweep.points.find((point) => point.k === trueK)!.seenAccuracy });
    b.series[1]!.points.push({ x: trueK, y: sweep.points.find((point) => point.k === 1)!.seenAccuracy });
  }
  panels.push(b);

  // (c) K* = 5, N = 250 users: seen accuracy against samples per user n, for K in {1, 3, 5}.
  const trueK = small ? 3 : 5;
  const ks = small ? [1, 3] : [1, 3, 5];
  const c: ReproPanel = {
    id: 'synthetic-c',
    figure: 'Figure 5 (c)',
    title: `seen accuracy against comparisons per seen user n (K* = ${trueK})`,
    xLabel: 'comparisons per seen user n',
    series: ks.map((k) => ({ name: `K = ${k}`, points: [], dashed: k === 1 })),
    paper: 'accuracy rises with n, and K = K* comes out on top once n is large enough.',
  };
  for (const n of samplesPerUser) {
    const data = generateSyntheticPreferences({ setting: 'mixture', dimension: d, numPrototypes: trueK, numUsers: usersPerGroup * trueK, pairsPerUser: n, heldOutPairsPerUser: 50, seed: 20 + n });
    const sweep = await output.task(`synthetic (c) n = ${n}`, () => kSweep({ backend, definition: syntheticDefinition(d), ks, train: data.train, validation: data.validation, test: data.test, trainOptions: syntheticTrainOptions(epochs) }));
    ks.forEach((k, index) => c.series[index]!.points.push({ x: n, y: sweep.points.find((point) => point.k === k)!.seenAccuracy }));
  }
  panels.push(c);

  // (d) K* = 5, n = 50: unseen users localised from n_new pairs each; seen accuracy as the reference line.
  const data = generateSyntheticPreferences({ setting: 'mixture', dimension: d, numPrototypes: trueK, numUsers: usersPerGroup * trueK, pairsPerUser: 50, heldOutPairsPerUser: 50, numUnseenUsers: small ? 12 : 50, unseenPairsPerUser: Math.max(...newUserShots) + 100, seed: 31 });
  const { shots: pool, rest } = splitShotsPerUser(data.unseen, Math.max(...newUserShots), 3);
  const sweep = await output.task('synthetic (d) train', () => kSweep({ backend, definition: syntheticDefinition(d), ks: [trueK], train: data.train, validation: data.validation, test: data.test, trainOptions: syntheticTrainOptions(epochs) }));
  const model = sweep.models[trueK]!;
  const curve = await output.task('synthetic (d) localise', () => fewShotCurve({ backend, model, baseline: sweep.models[1], pool, test: rest, shots: newUserShots, localizeOptions }));
  const seen = sweep.points.find((point) => point.k === trueK)!.seenAccuracy;
  panels.push({
    id: 'synthetic-d',
    figure: 'Figure 5 (d)',
    title: `unseen accuracy against comparisons per new user (K* = K = ${trueK}, n = 50)`,
    xLabel: 'comparisons per new user',
    series: [
      { name: `PAL, K = ${trueK}`, points: curve.points.map((point) => ({ x: point.shots, y: point.accuracy })) },
      { name: 'K = 1', dashed: true, points: curve.points.map((point) => ({ x: point.shots, y: point.baselineAccuracy! })) },
      { name: 'seen users', dashed: true, points: curve.points.map((point) => ({ x: point.shots, y: seen })) },
    ],
    paper: 'with as few as 40 comparisons a new user is about as well served as a seen user.',
  });
  return { panels, settings: { scale, dimension: d, epochs, trueKs, samplesPerUser, newUserShots, usersPerGroup, model: syntheticDefinition(d), trainOptions: syntheticTrainOptions(epochs), localizeOptions } };
}
