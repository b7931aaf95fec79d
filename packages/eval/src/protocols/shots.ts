import { Random, selectComparisons, type EmbeddedComparisons } from '@pal/core';

/**
 * Each user's comparison rows in a seeded random order. Taking a prefix of every list gives nested
 * N-shot sets (the 10 shots of a user contain their 5 shots), so a few-shot curve compares like with like.
 */
export function shuffledRowsPerUser(data: EmbeddedComparisons, seed: number): Map<number, number[]> {
  const rowsByUser = new Map<number, number[]>();
  data.user.forEach((user, row) => {
    const rows = rowsByUser.get(user);
    if (rows) rows.push(row);
    else rowsByUser.set(user, [row]);
  });
  const random = new Random(seed);
  for (const rows of rowsByUser.values()) random.shuffle(rows);
  return rowsByUser;
}

/** The first `shots` comparisons of every user in a seeded order (all of them for users with fewer). */
export function takeShotsPerUser(data: EmbeddedComparisons, shots: number, seed = 0): EmbeddedComparisons {
  const rows: number[] = [];
  for (const userRows of shuffledRowsPerUser(data, seed).values()) rows.push(...userRows.slice(0, shots));
  rows.sort((a, b) => a - b);
  return selectComparisons(data, rows);
}

/** Splits every user's comparisons into `shots` for localisation and the rest for testing. */
export function splitShotsPerUser(data: EmbeddedComparisons, shots: number, seed = 0): { shots: EmbeddedComparisons; rest: EmbeddedComparisons } {
  const shotRows: number[] = [];
  const restRows: number[] = [];
  for (const userRows of shuffledRowsPerUser(data, seed).values()) {
    shotRows.push(...userRows.slice(0, shots));
    restRows.push(...userRows.slice(shots));
  }
  shotRows.sort((a, b) => a - b);
  restRows.sort((a, b) => a - b);
  return { shots: selectComparisons(data, shotRows), rest: selectComparisons(data, restRows) };
}
