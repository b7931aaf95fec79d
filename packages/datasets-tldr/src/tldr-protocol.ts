import { Random } from '@pal/core';

/** Which summary length a (relabelled) worker prefers. */
export type LengthPreference = 'longer' | 'shorter';

/**
 * The P-DPO policy filter (Li et al. 2024, kept by PAL appendix D.3): a summary counts when its policy
 * name contains "sup" and not "ppo" (supervised baselines, no RL-tuned policies); both must count.
 */
export function isSupervisedPair(policies: readonly [string, string]): boolean {
  return policies.every((policy) => policy.includes('sup') && !policy.includes('ppo'));
}

/** Length in characters as Python's `len` counts them (code points, not UTF-16 units). */
export function characterLength(text: string): number {
  let length = 0;
  for (const character of text) {
    void character;
    length++;
  }
  return length;
}

/**
 * The relabelled preference: a worker who prefers longer summaries picks the longer one, the others the
 * shorter one; the human choice is ignored. Equal lengths go to the right item.
 */
export function preferredByLength(texts: readonly [string, string], preference: LengthPreference): 'left' | 'right' {
  const left = characterLength(texts[0]);
  const right = characterLength(texts[1]);
  if (preference === 'longer') return left > right ? 'left' : 'right';
  return left < right ? 'left' : 'right';
}

/** Count of items per key, in first-seen order. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** Keys ordered by count, largest first; ties by key so the order does not depend on row order. */
export function rankByCount(counts: ReadonlyMap<string, number>): string[] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([key]) => key);
}

/** Indices 3, 4 and 5 of the seen workers (value_counts order) form the minority that prefers shorter summaries. */
export const shorterPreferringSeenRanks: readonly number[] = [3, 4, 5];

/** The length preference of the seen worker at `rank` (zero-based) in the value_counts order. */
export function seenWorkerPreference(rank: number): LengthPreference {
  return shorterPreferringSeenRanks.includes(rank) ? 'shorter' : 'longer';
}

/**
 * How many validation items each user gets in a 90/10 split stratified by user, as scikit-learn's
 * `train_test_split(test_size=0.1, stratify=user)` sizes it: ceil(10 % of all) in total, each user
 * floor(10 % of theirs), and the rest one by one to the users with the largest remainders (ties in
 * the given user order).
 */
export function stratifiedValidationSizes(countsByUser: ReadonlyMap<string, number>, fraction = 0.1): Map<string, number> {
  const users = [...countsByUser.keys()];
  const total = [...countsByUser.values()].reduce((sum, count) => sum + count, 0);
  const wanted = Math.ceil(total * fraction - 1e-9);
  const sizes = new Map<string, number>();
  const remainders: { user: string; remainder: number; order: number }[] = [];
  let assigned = 0;
  users.forEach((user, order) => {
    const exact = countsByUser.get(user)! * fraction;
    const size = Math.floor(exact + 1e-9);
    sizes.set(user, size);
    assigned += size;
    remainders.push({ user, remainder: exact - size, order });
  });
  remainders.sort((a, b) => b.remainder - a.remainder || a.order - b.order);
  for (let index = 0; index < wanted - assigned && index < remainders.length; index++) {
    const { user } = remainders[index]!;
    sizes.set(user, sizes.get(user)! + 1);
  }
  return sizes;
}

/**
 * Splits each user's items into train and validation with the sizes of `stratifiedValidationSizes`,
 * choosing which items go to validation by a seeded shuffle per user. Returns the validation items.
 */
export function stratifiedValidationPick<T>(
  itemsByUser: ReadonlyMap<string, readonly T[]>,
  seed: number,
  fraction = 0.1,
): Set<T> {
  const sizes = stratifiedValidationSizes(new Map([...itemsByUser].map(([user, items]) => [user, items.length])), fraction);
  const random = new Random(seed);
  const picked = new Set<T>();
  for (const [user, items] of itemsByUser) {
    const order = random.shuffle(items.map((_, index) => index));
    for (const index of order.slice(0, sizes.get(user)!)) picked.add(items[index]!);
  }
  return picked;
}

/**
 * Assigns length preferences to the unseen workers: a seeded shuffle of the sorted ids, the first
 * round(fraction x count) prefer longer summaries, the rest shorter (appendix D.3: "randomly assigned 70%").
 */
export function assignUnseenPreferences(workers: readonly string[], longerFraction: number, seed: number): Map<string, LengthPreference> {
  const shuffled = new Random(seed).shuffle([...workers].sort());
  const longerCount = Math.round(longerFraction * shuffled.length);
  return new Map(shuffled.map((worker, index) => [worker, index < longerCount ? 'longer' : 'shorter']));
}

/** Which few-shot part an unseen user's comparison falls in. */
export type UnseenPart = 'unseen-train' | 'unseen-validation' | 'unseen-test';

/**
 * Splits one unseen user's comparisons by a seeded shuffle: the first `shots` are the few-shot training
 * pairs, the next `validationShots` the validation pairs, the rest the test pairs. The shuffle does not
 * depend on `shots`, so the training pairs for N = 10 are a subset of those for N = 20.
 */
export function unseenParts<T>(items: readonly T[], shots: number, validationShots: number, seed: number): Map<T, UnseenPart> {
  const order = new Random(seed).shuffle(items.map((_, index) => index));
  const parts = new Map<T, UnseenPart>();
  order.forEach((itemIndex, position) => {
    const part: UnseenPart = position < shots ? 'unseen-train' : position < shots + validationShots ? 'unseen-validation' : 'unseen-test';
    parts.set(items[itemIndex]!, part);
  });
  return parts;
}
