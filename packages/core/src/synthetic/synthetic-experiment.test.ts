import { describe, expect, it } from 'vitest';
import { createReferenceBackend } from '../engine/reference/reference-backend.js';
import { evaluate } from '../training/evaluate.js';
import { localize } from '../training/localize.js';
import { train } from '../training/train.js';
import { selectComparisons, type EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { generateSyntheticPreferences } from './synthetic-preferences.js';

/** First `shots` comparisons of each user for localisation, the rest for testing. */
function splitShots(data: EmbeddedComparisons, shots: number): { shotsData: EmbeddedComparisons; rest: EmbeddedComparisons } {
  const seen = new Map<number, number>();
  const shotRows: number[] = [];
  const restRows: number[] = [];
  data.user.forEach((user, row) => {
    const count = seen.get(user) ?? 0;
    seen.set(user, count + 1);
    (count < shots ? shotRows : restRows).push(row);
  });
  return { shotsData: selectComparisons(data, shotRows), rest: selectComparisons(data, restRows) };
}

describe('synthetic mixture experiment (paper Figure 5 trends)', () => {
  it('should beat the homogeneous K = 1 model by 5 points and localise unseen users from 40 pairs within 3 points', async () => {
    const data = generateSyntheticPreferences({ setting: 'mixture', dimension: 16, numPrototypes: 3, numUsers: 100, pairsPerUser: 100, heldOutPairsPerUser: 100, numUnseenUsers: 50, unseenPairsPerUser: 140, seed: 1 });
    const backend = createReferenceBackend();
    const results: Record<number, { seen: number; unseen: number }> = {};
    for (const K of [1, 3]) {
      const trained = await train({
        backend,
        definition: { kind: 'pal-a', numPrototypes: K, itemDim: 16, latentDim: 16, projector: 'mlp0-linear-dropout0', head: 'euclidean' },
        train: data.train,
        validation: data.validation,
        options: {
          epochs: 60,
          batchSize: 100,
          seed: 2,
          loss: { kind: 'logistic' },
          optimizer: { groups: { projectors: { learningRate: 5e-3, weightDecay: 1e-3 }, prototypes: { learningRate: 5e-2 }, userWeights: { learningRate: 5e-2 } } },
        },
      });
      const seen = await evaluate({ backend, model: trained.model, data: data.test });
      const { shotsData, rest } = splitShots(data.unseen, 40);
      const localized = await localize({ backend, model: trained.model, data: shotsData, options: { steps: 200, learningRate: 0.1 } });
      const unseen = await evaluate({ backend, model: localized.model, data: rest });
      results[K] = { seen: seen.accuracy, unseen: unseen.accuracy };
    }
    console.log('synthetic mixture K*=3', JSON.stringify(results));
    expect(results[3]!.seen - results[1]!.seen).toBeGreaterThanOrEqual(0.05);
    expect(results[3]!.seen - results[3]!.unseen).toBeLessThanOrEqual(0.03);
  });
});
