import { testDatasetAdapter } from '@pal/core/test';
import { describe, expect, it } from 'vitest';
import { createCoffeeDataset } from './coffee-dataset.js';
import { coffeeMenu } from './coffee-menu.js';

testDatasetAdapter({
  name: 'createCoffeeDataset conformance',
  create: () => createCoffeeDataset(),
  createWithSeed: (seed) => createCoffeeDataset({ seed }),
  badInputs: [
    {
      name: 'a menu row with a word for a number',
      create: () => createCoffeeDataset({ menu: [...coffeeMenu.slice(0, 2), { name: 'mocha', strength: 'strong', milk: 3 }] }),
      expectedMessage: /\[example-dataset-adapter\] menu row 3: strength: /,
    },
    { name: 'a test fraction of 1', create: () => createCoffeeDataset({ testFraction: 1 }), expectedMessage: /invalid coffee dataset settings: testFraction/ },
  ],
});

describe('createCoffeeDataset', () => {
  it('should have the strong-coffee drinker prefer the stronger drink and the other the milkier one', async () => {
    const { examples } = await createCoffeeDataset().doLoad();
    const byName = new Map(coffeeMenu.map((drink) => [drink.name, drink]));
    expect(examples).toHaveLength(2 * 2 * 28);
    for (const example of examples) {
      const winner = byName.get(String(example.preferred === 'left' ? example.left : example.right))!;
      const loser = byName.get(String(example.preferred === 'left' ? example.right : example.left))!;
      const taste = example.userId === 'strong-coffee-drinker' ? 'strength' : 'milk';
      expect(winner[taste]).toBeGreaterThanOrEqual(loser[taste]);
    }
  });

  it('should hold out a quarter of each drinker\'s comparisons as test', async () => {
    const { examples } = await createCoffeeDataset().doLoad();
    for (const userId of ['strong-coffee-drinker', 'milky-coffee-drinker']) {
      expect(examples.filter((example) => example.userId === userId && example.split === 'test')).toHaveLength(14);
    }
  });
});
