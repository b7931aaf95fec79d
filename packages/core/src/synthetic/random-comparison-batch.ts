import { Random } from '../random/random.js';
import { createMatrix } from '../data/matrix.js';
import type { ComparisonBatchV1 } from '../spec/compute-backend/v1/comparison-batch-v1.js';

/** A random ComparisonBatchV1 for tests and benchmarks: `items` distinct items, `prompts` distinct prompts. */
export function randomComparisonBatch(options: {
  seed: number;
  count: number;
  numUsers: number;
  itemDim: number;
  promptDim: number;
  items?: number;
  prompts?: number;
  weighted?: boolean;
}): ComparisonBatchV1 {
  const random = new Random(options.seed);
  const numItems = options.items ?? options.count * 2;
  const numPrompts = options.prompts ?? options.count;
  const items = createMatrix(numItems, options.itemDim);
  const prompts = createMatrix(numPrompts, options.promptDim);
  for (let index = 0; index < items.data.length; index++) items.data[index] = random.normal();
  for (let index = 0; index < prompts.data.length; index++) prompts.data[index] = random.normal();
  const pick = (bound: number) => Int32Array.from({ length: options.count }, () => random.integer(bound));
  const leftIndex = pick(numItems);
  const rightIndex = Int32Array.from(leftIndex, (left) => (numItems > 1 ? (left + 1 + random.integer(numItems - 1)) % numItems : left));
  return {
    prompts,
    items,
    promptIndex: pick(numPrompts),
    leftIndex,
    rightIndex,
    user: pick(options.numUsers),
    label: Int8Array.from({ length: options.count }, () => (random.uniform() < 0.5 ? 1 : 0)),
    weight: Float32Array.from({ length: options.count }, () => (options.weighted ? 0.25 + random.uniform() : 1)),
  };
}
