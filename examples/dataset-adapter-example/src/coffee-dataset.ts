import {
  InvalidPreferenceDataError,
  Random,
  formatZodIssues,
  parseOptions,
  type DatasetAdapterV1,
  type DatasetLoadOptionsV1,
  type DatasetSplit,
  type DatasetV1,
  type PreferenceExample,
} from '@pal/core';
import { z } from 'zod';
import { coffeeDrinkers, coffeeDrinkSchema, coffeeMenu, coffeeMoments, type CoffeeDrink } from './coffee-menu.js';

/** Settings of the coffee dataset, validated when the adapter is created. */
export const coffeeDatasetSettingsSchema = z
  .object({
    /** Seed of the split assignment and of which side each drink is shown on. */
    seed: z.number().int().default(0),
    /** Fraction of each drinker's comparisons held out as `test`. */
    testFraction: z.number().min(0).max(0.9).default(0.25),
    /** Replaces the built-in menu, e.g. with your own drinks; every row is validated. */
    menu: z.array(z.unknown()).min(2).optional(),
  })
  .strict();

/** What `createCoffeeDataset` accepts. */
export type CoffeeDatasetSettings = z.input<typeof coffeeDatasetSettingsSchema>;

function readMenu(rows: unknown[]): CoffeeDrink[] {
  return rows.map((row, index) => {
    const result = coffeeDrinkSchema.safeParse(row);
    if (!result.success) {
      throw new InvalidPreferenceDataError(`menu row ${index + 1}: ${formatZodIssues(result.error)}`, { cause: result.error, source: 'example-dataset-adapter' });
    }
    return result.data;
  });
}

/**
 * Two made-up coffee drinkers compare every pair of drinks on a small menu: one prefers the stronger
 * drink, the other the milkier one. A K* = 2 dataset small enough to read in full.
 */
export function createCoffeeDataset(settings: CoffeeDatasetSettings = {}): DatasetAdapterV1 {
  const resolved = parseOptions(coffeeDatasetSettingsSchema, settings, 'coffee dataset settings');

  return {
    specificationVersion: 'v1',
    name: 'coffee',
    async doLoad(options: DatasetLoadOptionsV1 = {}): Promise<DatasetV1> {
      options.signal?.throwIfAborted();
      const menu = readMenu(resolved.menu ?? coffeeMenu);
      const random = new Random(resolved.seed);
      const examples: PreferenceExample[] = [];
      for (const drinker of coffeeDrinkers) {
        // One comparison = one drinker, one moment, one unordered pair: it gets one split.
        const comparisons: Array<{ moment: number; first: number; second: number }> = [];
        coffeeMoments.forEach((_, moment) => {
          for (let first = 0; first < menu.length; first++) {
            for (let second = first + 1; second < menu.length; second++) comparisons.push({ moment, first, second });
          }
        });
        random.shuffle(comparisons);
        const testCount = Math.round(comparisons.length * resolved.testFraction);
        comparisons.forEach(({ moment, first, second }, position) => {
          const a = menu[first]!;
          const b = menu[second]!;
          // Show the pair in a random order so that position carries no signal.
          const [left, right] = random.uniform() < 0.5 ? [a, b] : [b, a];
          const split: DatasetSplit = position < testCount ? 'test' : 'train';
          examples.push({
            id: `${drinker.userId}/${moment}/${a.name}|${b.name}`,
            userId: drinker.userId,
            prompt: coffeeMoments[moment]!,
            left: left.name,
            right: right.name,
            // Ties go to the right item, as in the paper's TL;DR relabelling.
            preferred: left[drinker.taste] > right[drinker.taste] ? 'left' : 'right',
            split,
            group: drinker.taste,
          });
        });
      }
      options.onProgress?.({ stage: 'generate', done: examples.length, total: examples.length });
      return {
        info: {
          name: 'coffee',
          description: 'Two made-up coffee drinkers compare every pair of drinks on a small menu; one likes strong coffee, the other milky.',
          license: 'MIT',
          groups: coffeeDrinkers.map((drinker) => drinker.taste),
        },
        examples,
      };
    },
  };
}
