import { evaluate, type ComputeBackendV1, type EmbeddedComparisons, type PalModel, type UserAccuracy } from '@pal/core';

/** Accuracy of the users of one true group. */
export interface GroupAccuracy {
  group: string;
  accuracy: number;
  baselineAccuracy?: number;
  users: number;
  count: number;
}

/** Pools per-user accuracies by group (comparison-weighted); users without a group are pooled as "(none)". */
export function groupAccuracies(perUser: Record<string, UserAccuracy>, groups: Record<string, string>): Map<string, { correct: number; count: number; users: number }> {
  const totals = new Map<string, { correct: number; count: number; users: number }>();
  for (const [userId, { accuracy, count }] of Object.entries(perUser)) {
    const group = groups[userId] ?? '(none)';
    const total = totals.get(group) ?? { correct: 0, count: 0, users: 0 };
    total.correct += accuracy * count;
    total.count += count;
    total.users += 1;
    totals.set(group, total);
  }
  return totals;
}

/** Inputs of `perGroupAccuracy`. */
export interface PerGroupAccuracyInput {
  backend: ComputeBackendV1;
  model: PalModel;
  baseline?: PalModel;
  test: EmbeddedComparisons;
  /** True group of each user id (persona, synthetic prototype). */
  groups: Record<string, string>;
}

/** Accuracy per true group for PAL and the K = 1 baseline: shows which groups a homogeneous model sacrifices. */
export async function perGroupAccuracy(input: PerGroupAccuracyInput): Promise<GroupAccuracy[]> {
  const pal = groupAccuracies((await evaluate({ backend: input.backend, model: input.model, data: input.test })).perUser, input.groups);
  const baseline = input.baseline
    ? groupAccuracies((await evaluate({ backend: input.backend, model: input.baseline, data: input.test })).perUser, input.groups)
    : undefined;
  return [...pal.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, total]) => {
      const row: GroupAccuracy = { group, accuracy: total.correct / total.count, users: total.users, count: total.count };
      const other = baseline?.get(group);
      if (other) row.baselineAccuracy = other.correct / other.count;
      return row;
    });
}
