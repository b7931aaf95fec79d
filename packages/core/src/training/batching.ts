import { selectComparisons, type EmbeddedComparisons } from '../data/embedded-comparisons.js';
import { UnknownUserError } from '../errors/errors.js';
import type { ComparisonBatchV1 } from '../spec/compute-backend/v1/comparison-batch-v1.js';

/**
 * Maps a dataset's user indices to rows of a model's user table (-1 where the model lacks the user).
 * Data and models refer to users by id, so datasets with different user tables can share one model.
 */
export function userIndexMap(dataUserIds: string[], modelUserIds: string[]): Int32Array {
  const modelIndex = new Map(modelUserIds.map((id, index) => [id, index]));
  return Int32Array.from(dataUserIds, (id) => modelIndex.get(id) ?? -1);
}

/** Distinct user ids that occur in `data`, in the order of `data.userIds`. */
export function usersPresent(data: EmbeddedComparisons): string[] {
  const present = new Uint8Array(data.userIds.length);
  for (const user of data.user) present[user] = 1;
  return data.userIds.filter((_, index) => present[index] === 1);
}

/**
 * Cuts the comparisons at `rows` into a backend batch with model-local user indices and loss weights.
 * Throws UnknownUserError naming the first user the model does not know.
 */
export function buildBatch(data: EmbeddedComparisons, rows: ArrayLike<number>, userMap: Int32Array, weights?: Float32Array): ComparisonBatchV1 {
  const selected = selectComparisons(data, rows);
  const user = new Int32Array(selected.user.length);
  for (let position = 0; position < user.length; position++) {
    const mapped = userMap[selected.user[position]!]!;
    if (mapped < 0) {
      throw new UnknownUserError(`comparison ${rows[position]} belongs to user "${data.userIds[selected.user[position]!]}", who is not in the model`);
    }
    user[position] = mapped;
  }
  const weight = new Float32Array(user.length);
  for (let position = 0; position < user.length; position++) weight[position] = weights ? weights[rows[position]!]! : 1;
  return { ...selected, user, weight };
}

/** `[0, count)` split into consecutive chunks of at most `size`. */
export function chunks(count: number, size: number): Int32Array[] {
  const result: Int32Array[] = [];
  for (let start = 0; start < count; start += size) {
    result.push(Int32Array.from({ length: Math.min(size, count - start) }, (_, offset) => start + offset));
  }
  return result;
}
