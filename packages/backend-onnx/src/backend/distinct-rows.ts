import type { Matrix } from '@pal/core';

/** A matrix reduced to its distinct, referenced rows, and where each original row went. */
export interface DistinctRows {
  matrix: Matrix;
  /** Original row -> row of `matrix` (-1 for rows no index refers to). */
  remap: Int32Array;
  /** Original row kept as each row of `matrix`. */
  kept: Int32Array;
  /** True when nothing changed (every row distinct and referenced), so `matrix` is the input itself. */
  unchanged: boolean;
}

const SAMPLED_WORDS = 24;

/**
 * Keeps each distinct row that some index refers to once, so every embedding goes through its MLP once
 * per batch. Rows are bucketed by a hash of a few sampled words and compared in full only on a hash
 * match, so a batch without duplicates costs a few dozen reads per row.
 */
export function distinctRows(matrix: Matrix, indexArrays: Int32Array[]): DistinctRows {
  const { rows, cols } = matrix;
  const referenced = new Uint8Array(rows);
  for (const indices of indexArrays) for (let position = 0; position < indices.length; position++) referenced[indices[position]!] = 1;
  const words = new Uint32Array(matrix.data.buffer, matrix.data.byteOffset, matrix.data.length);
  const stride = Math.max(1, Math.floor(cols / SAMPLED_WORDS));
  const buckets = new Map<number, number[]>();
  const remap = new Int32Array(rows).fill(-1);
  const kept: number[] = [];
  for (let row = 0; row < rows; row++) {
    if (!referenced[row]) continue;
    const offset = row * cols;
    let hash = 0x811c9dc5;
    for (let col = 0; col < cols; col += stride) hash = Math.imul(hash ^ words[offset + col]!, 0x01000193);
    const bucket = buckets.get(hash);
    const match = bucket?.find((candidate) => sameRow(words, kept[candidate]! * cols, offset, cols));
    if (match !== undefined) {
      remap[row] = match;
      continue;
    }
    remap[row] = kept.length;
    if (bucket) bucket.push(kept.length);
    else buckets.set(hash, [kept.length]);
    kept.push(row);
  }
  if (kept.length === rows) return { matrix, remap, kept: Int32Array.from(kept), unchanged: true };
  const data = new Float32Array(kept.length * cols);
  kept.forEach((source, target) => data.set(matrix.data.subarray(source * cols, (source + 1) * cols), target * cols));
  return { matrix: { data, rows: kept.length, cols }, remap, kept: Int32Array.from(kept), unchanged: false };
}

/** Applies a row remapping to an index array (a copy; the input is left alone). */
export function remapIndices(indices: Int32Array, remap: Int32Array): Int32Array {
  const out = new Int32Array(indices.length);
  for (let position = 0; position < indices.length; position++) out[position] = remap[indices[position]!]!;
  return out;
}

function sameRow(words: Uint32Array, a: number, b: number, cols: number): boolean {
  for (let col = 0; col < cols; col++) if (words[a + col] !== words[b + col]) return false;
  return true;
}
