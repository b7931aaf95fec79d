import { Random } from '@pal/core';
import type { FilterColour } from './colour-filter.js';
import { pickAFilterTable8 } from './pick-a-filter-settings.js';
import type { PickapicSplit } from './pickapic-settings.js';

/** Labelled pairs (ties dropped) one user has in each v1 split. */
export type UserSplitCounts = Record<PickapicSplit, number>;

/** How the sorted users are divided into the two groups. */
export type GroupAssignment = 'interleaved' | 'halves';

/** A selected user: their filter group, their rank inside it (0 = most pairs), and whether they are seen. */
export interface PickAFilterUser {
  userId: string;
  group: FilterColour;
  rankInGroup: number;
  seen: boolean;
  total: number;
}

/** Result of the user selection, with the intermediate counts the paper reports (468 and 234 users). */
export interface PickAFilterUserSelection {
  /** Users with pairs in both train and test. */
  inBothSplits: number;
  /** Of those, users with more than `minimumLabels` pairs, sorted by count (largest first). */
  eligible: string[];
  users: Map<string, PickAFilterUser>;
}

/** Compares user ids as numbers when both are numeric (Pick-a-Pic ids are), else as strings. */
function compareIds(a: string, b: string): number {
  const numeric = /^\d+$/.test(a) && /^\d+$/.test(b);
  if (numeric) return Number(a) - Number(b) || a.localeCompare(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Appendix D.6: users with pairs in both train and test, more than `minimumLabels` pairs in all, sorted by
 * count (ties by id), the first 2 x `usersPerGroup` split into two groups: G1 prefers the blue filter, G2
 * the red one. `interleaved` deals the sorted users alternately (G1, G2, G1, ...), `halves` gives G1 the
 * first half. The first `seenUsersPerGroup` of each group (most pairs) are seen users.
 */
export function selectPickAFilterUsers(
  counts: ReadonlyMap<string, UserSplitCounts>,
  settings: { minimumLabels: number; usersPerGroup: number; seenUsersPerGroup: number; groupAssignment: GroupAssignment },
): PickAFilterUserSelection {
  const totals = new Map<string, number>();
  let inBothSplits = 0;
  for (const [userId, split] of counts) {
    if (split.train === 0 || split.test === 0) continue;
    inBothSplits++;
    const total = split.train + split.validation + split.test;
    if (total > settings.minimumLabels) totals.set(userId, total);
  }
  const eligible = [...totals.keys()].sort((a, b) => totals.get(b)! - totals.get(a)! || compareIds(a, b));
  const chosen = eligible.slice(0, 2 * settings.usersPerGroup);
  const half = Math.ceil(chosen.length / 2);
  const users = new Map<string, PickAFilterUser>();
  chosen.forEach((userId, index) => {
    const firstGroup = settings.groupAssignment === 'interleaved' ? index % 2 === 0 : index < half;
    const rankInGroup = settings.groupAssignment === 'interleaved' ? Math.floor(index / 2) : firstGroup ? index : index - half;
    users.set(userId, {
      userId,
      group: firstGroup ? 'blue' : 'red',
      rankInGroup,
      seen: rankInGroup < settings.seenUsersPerGroup,
      total: totals.get(userId)!,
    });
  });
  return { inBothSplits, eligible, users };
}

/** Which image of a pair gets a filter. */
export type FilterTarget = 'winner' | 'loser';

/**
 * Appendix D.6 steps 2-3: per user and split, a seeded shuffle of the pairs; the first round(beta x n)
 * get a filter, alternating winner-only and loser-only down that order (so half and half, and the pairs
 * filtered at a smaller beta stay filtered at a larger one). Keys are visited in sorted order so the
 * plan does not depend on file order.
 */
export function planFilters<K>(pairsByUserSplit: ReadonlyMap<string, readonly K[]>, beta: number, seed: number): Map<K, FilterTarget> {
  const random = new Random(seed);
  const plan = new Map<K, FilterTarget>();
  for (const key of [...pairsByUserSplit.keys()].sort()) {
    const pairs = pairsByUserSplit.get(key)!;
    const order = new Random(random.fork()).shuffle(pairs.map((_, index) => index));
    const filtered = Math.round(beta * pairs.length);
    for (let position = 0; position < filtered; position++) plan.set(pairs[order[position]!]!, position % 2 === 0 ? 'winner' : 'loser');
  }
  return plan;
}

/** The filter each group likes on the winning image, and the other one, used on the losing image. */
export function filtersOf(group: FilterColour): { winning: FilterColour; losing: FilterColour } {
  return group === 'blue' ? { winning: 'blue', losing: 'red' } : { winning: 'red', losing: 'blue' };
}

/**
 * Compares the pairs per group, seen / unseen and split with the paper's Table 8 and describes each
 * cell that differs (`blue seen train: expected 58831, found 58830`); empty when all twelve match.
 */
export function table8Differences(pairs: Iterable<{ group: FilterColour; seen: boolean; split: PickapicSplit }>): string[] {
  const found = new Map<string, number>();
  for (const pair of pairs) {
    const key = `${pair.group} ${pair.seen ? 'seen' : 'unseen'} ${pair.split}`;
    found.set(key, (found.get(key) ?? 0) + 1);
  }
  const problems: string[] = [];
  for (const group of ['blue', 'red'] as const) {
    for (const kind of ['seen', 'unseen'] as const) {
      for (const split of ['train', 'validation', 'test'] as const) {
        const key = `${group} ${kind} ${split}`;
        const expected = pickAFilterTable8[group][kind][split];
        if ((found.get(key) ?? 0) !== expected) problems.push(`${key}: expected ${expected}, found ${found.get(key) ?? 0}`);
      }
    }
  }
  return problems;
}
