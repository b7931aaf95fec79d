import { describe, expect, it } from 'vitest';
import type { PreferenceExample } from '../data/preference-example.js';
import { InvalidPreferenceDataError } from '../errors/errors.js';
import type { DatasetAdapterV1 } from '../spec/dataset-adapter/v1/dataset-adapter-v1.js';
import { testDatasetAdapter } from './dataset-adapter-conformance.js';
import { comparisonKey } from '../data/comparison-key.js';
import {
  findComparisonInTwoSplits,
  findDifference,
  findDuplicateId,
  findInfoProblem,
  findInvalidExample,
} from './dataset-checks.js';

const tea: PreferenceExample = { id: 'a-1', userId: 'ann', prompt: 'Which drink?', left: 'green tea', right: 'black tea', preferred: 'left', split: 'train' };
const coffee: PreferenceExample = { id: 'a-2', userId: 'ann', prompt: 'Which drink?', left: 'latte', right: 'espresso', preferred: 'right', split: 'test' };

describe('dataset checks', () => {
  it('should treat a swapped pair as the same comparison but a different user as another', () => {
    const swapped = { ...tea, left: tea.right, right: tea.left };
    expect(comparisonKey(swapped)).toBe(comparisonKey(tea));
    expect(comparisonKey({ ...tea, userId: 'bob' })).not.toBe(comparisonKey(tea));
    expect(comparisonKey({ ...tea, prompt: 'Which hot drink?' })).not.toBe(comparisonKey(tea));
  });

  it('should key embeddings and images by their id', () => {
    const embedded = { ...tea, left: { kind: 'embedding' as const, values: [1, 2], id: 'e1' } };
    const sameId = { ...tea, left: { kind: 'embedding' as const, values: [3, 4], id: 'e1' } };
    expect(comparisonKey(embedded)).toBe(comparisonKey(sameId));
    expect(comparisonKey({ ...tea, left: { kind: 'image', id: 'e1' } })).not.toBe(comparisonKey(embedded));
  });

  it('should find a comparison that is in two splits, even with its sides swapped', () => {
    expect(findComparisonInTwoSplits([tea, coffee])).toBeUndefined();
    const leaked = { ...tea, id: 'a-3', left: tea.right, right: tea.left, split: 'test' as const };
    expect(findComparisonInTwoSplits([tea, coffee, leaked])).toMatch(/"ann" has the same comparison in train \(id a-1\) and test \(id a-3\)/);
    expect(findComparisonInTwoSplits([tea, { ...leaked, split: 'train' }])).toBeUndefined();
  });

  it('should find duplicate ids', () => {
    expect(findDuplicateId([tea, coffee])).toBeUndefined();
    expect(findDuplicateId([tea, coffee, { ...coffee, userId: 'bob' }])).toBe('examples 1 and 2 share the id "a-2"');
  });

  it('should find rows that fail the schema and an empty dataset', () => {
    expect(findInvalidExample([tea, coffee])).toBeUndefined();
    expect(findInvalidExample([])).toBe('the dataset has no examples');
    expect(findInvalidExample([tea, { ...coffee, preferred: 'both' }])).toMatch(/example 1 \(id "a-2"\) is invalid: preferred/);
    expect(findInvalidExample([{ ...tea, split: 'val' }])).toMatch(/split/);
  });

  it('should find missing info fields', () => {
    expect(findInfoProblem({ name: 'drinks', description: 'Two drinkers.' })).toBeUndefined();
    expect(findInfoProblem({ name: 'drinks', description: ' ' })).toMatch(/info\.description/);
    expect(findInfoProblem({ name: '', description: 'x' })).toMatch(/info\.name/);
  });

  it('should find the first difference between two loads', () => {
    expect(findDifference([tea, coffee], [{ ...tea }, { ...coffee }])).toBeUndefined();
    expect(findDifference([tea, coffee], [tea, { ...coffee, preferred: 'left' }])).toMatch(/differ at example 1/);
    expect(findDifference([tea, coffee], [tea])).toMatch(/2 and 1 examples/);
  });
});

/** A small in-memory adapter whose rows depend on the seed, to run the kit itself end to end. */
function createDrinksDataset(seed = 1, labelOverride?: string): DatasetAdapterV1 {
  return {
    specificationVersion: 'v1',
    name: 'drinks',
    async doLoad() {
      if (labelOverride !== undefined) {
        throw new InvalidPreferenceDataError(`drinks row 2: expected left|right, found ${JSON.stringify(labelOverride)}`, { source: 'drinks' });
      }
      const examples: PreferenceExample[] = [];
      for (let index = 0; index < 12; index++) {
        examples.push({
          id: `drinks-${index}`,
          userId: index % 2 === 0 ? 'ann' : 'bob',
          prompt: 'Which drink?',
          left: `drink ${index}`,
          right: `drink ${index + 100}`,
          preferred: (index + seed) % 3 === 0 ? 'left' : 'right',
          split: index < 8 ? 'train' : 'test',
        });
      }
      return { info: { name: 'drinks', description: 'Two made-up drinkers.' }, examples };
    },
  };
}

testDatasetAdapter({
  name: 'testDatasetAdapter on an in-memory adapter',
  create: () => createDrinksDataset(),
  createWithSeed: (seed) => createDrinksDataset(seed),
  badInputs: [{ name: 'a bad label', create: () => createDrinksDataset(1, 'maybe'), expectedMessage: /drinks row 2: expected left\|right, found "maybe"/ }],
});
