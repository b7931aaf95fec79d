import { z } from 'zod';
import { InvalidPreferenceDataError } from '../errors/errors.js';
import { formatZodIssues } from '../errors/format-zod-error.js';
import { createMatrix, type Matrix } from './matrix.js';

/** Label value meaning the left item won (the paper's y = -1). */
export const PREFERRED_LEFT = 1;
/** Label value meaning the right item won (the paper's y = +1). */
export const PREFERRED_RIGHT = 0;

export const matrixSchema = z
  .object({ data: z.custom<Float32Array>((value) => value instanceof Float32Array, 'expected a Float32Array'), rows: z.number().int().nonnegative(), cols: z.number().int().nonnegative() })
  .refine((matrix) => matrix.data.length === matrix.rows * matrix.cols, {
    message: 'expected data.length = rows * cols',
  });

/**
 * Embedded comparisons in indexed form: each distinct prompt and item embedding is stored once and
 * comparisons point at them. Prompts and items recur heavily (Personas items are only "Yes" / "No"), so
 * this saves memory and lets engines run each distinct row through its MLP once per batch.
 */
export const embeddedComparisonsSchema = z
  .object({
    /** Distinct prompt (context) embeddings; `cols` may be 0 for prompt-free data. */
    prompts: matrixSchema,
    /** Distinct item (response / image) embeddings. */
    items: matrixSchema,
    promptIndex: z.custom<Int32Array>((value) => value instanceof Int32Array, 'expected an Int32Array'),
    leftIndex: z.custom<Int32Array>((value) => value instanceof Int32Array, 'expected an Int32Array'),
    rightIndex: z.custom<Int32Array>((value) => value instanceof Int32Array, 'expected an Int32Array'),
    /** Index into `userIds` for each comparison. */
    user: z.custom<Int32Array>((value) => value instanceof Int32Array, 'expected an Int32Array'),
    /** 1 when the left item is preferred, 0 when the right one is. */
    label: z.custom<Int8Array>((value) => value instanceof Int8Array, 'expected an Int8Array'),
    userIds: z.array(z.string()),
  })
  .superRefine((value, context) => {
    const count = value.label.length;
    for (const field of ['promptIndex', 'leftIndex', 'rightIndex', 'user'] as const) {
      if (value[field].length !== count) {
        context.addIssue({ code: 'custom', path: [field], message: `expected ${count} entries (one per label), found ${value[field].length}` });
        return;
      }
    }
    const checks: [string, Int32Array, number][] = [
      ['promptIndex', value.promptIndex, value.prompts.rows],
      ['leftIndex', value.leftIndex, value.items.rows],
      ['rightIndex', value.rightIndex, value.items.rows],
      ['user', value.user, value.userIds.length],
    ];
    for (const [field, indices, bound] of checks) {
      for (let row = 0; row < count; row++) {
        const index = indices[row]!;
        if (index < 0 || index >= bound) {
          context.addIssue({ code: 'custom', path: [field, row], message: `expected an index in [0, ${bound}), found ${index}` });
          return;
        }
      }
    }
    for (let row = 0; row < count; row++) {
      const label = value.label[row]!;
      if (label !== PREFERRED_LEFT && label !== PREFERRED_RIGHT) {
        context.addIssue({ code: 'custom', path: ['label', row], message: `expected 1 (left preferred) or 0 (right preferred), found ${label}` });
        return;
      }
    }
    for (const field of ['prompts', 'items'] as const) {
      const { data, cols } = value[field];
      for (let index = 0; index < data.length; index++) {
        if (!Number.isFinite(data[index]!)) {
          const row = Math.floor(index / cols);
          context.addIssue({ code: 'custom', path: [field, row, index - row * cols], message: `expected a finite number, found ${data[index]}` });
          return;
        }
      }
    }
  });
export type EmbeddedComparisons = z.infer<typeof embeddedComparisonsSchema>;

/** Validates embedded comparisons, throwing an error that names the field, row and value. */
export function validateEmbeddedComparisons(value: unknown, what = 'embedded comparisons'): EmbeddedComparisons {
  const result = embeddedComparisonsSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidPreferenceDataError(`invalid ${what}: ${formatZodIssues(result.error)}`, { cause: result.error });
  }
  if (result.data.label.length === 0) {
    throw new InvalidPreferenceDataError(`invalid ${what}: expected at least one comparison, found none`);
  }
  return result.data;
}

/** Dense per-comparison rows, as users often have them (one prompt / left / right row per comparison). */
export interface DenseComparisons {
  prompt: Matrix;
  left: Matrix;
  right: Matrix;
  user: Int32Array;
  label: Int8Array;
  userIds: string[];
}

/** Converts dense rows into the indexed form, storing each distinct embedding once. */
export function indexDenseComparisons(dense: DenseComparisons): EmbeddedComparisons {
  const prompts = new RowInterner(dense.prompt.cols);
  const items = new RowInterner(dense.left.cols);
  const count = dense.label.length;
  const promptIndex = new Int32Array(count);
  const leftIndex = new Int32Array(count);
  const rightIndex = new Int32Array(count);
  for (let row = 0; row < count; row++) {
    promptIndex[row] = prompts.intern(dense.prompt, row);
    leftIndex[row] = items.intern(dense.left, row);
    rightIndex[row] = items.intern(dense.right, row);
  }
  return validateEmbeddedComparisons({
    prompts: prompts.toMatrix(),
    items: items.toMatrix(),
    promptIndex,
    leftIndex,
    rightIndex,
    user: dense.user,
    label: dense.label,
    userIds: dense.userIds,
  });
}

/** Deduplicates rows by exact content. */
class RowInterner {
  private readonly indexByKey = new Map<string, number>();
  private readonly rows: Float32Array[] = [];
  constructor(private readonly cols: number) {}

  intern(matrix: Matrix, row: number): number {
    const values = matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols);
    const key = Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
    let index = this.indexByKey.get(key);
    if (index === undefined) {
      index = this.rows.length;
      this.indexByKey.set(key, index);
      this.rows.push(values);
    }
    return index;
  }

  toMatrix(): Matrix {
    const matrix = createMatrix(this.rows.length, this.cols);
    this.rows.forEach((row, index) => matrix.data.set(row, index * this.cols));
    return matrix;
  }
}

/**
 * The comparisons at `rows`, compacted: only the prompts and items they use are kept and re-indexed.
 * This is how minibatches are cut, so a batch carries each distinct embedding once.
 */
export function selectComparisons(data: EmbeddedComparisons, rows: ArrayLike<number>): EmbeddedComparisons {
  const promptMap = new Map<number, number>();
  const itemMap = new Map<number, number>();
  const count = rows.length;
  const promptIndex = new Int32Array(count);
  const leftIndex = new Int32Array(count);
  const rightIndex = new Int32Array(count);
  const user = new Int32Array(count);
  const label = new Int8Array(count);
  const remap = (map: Map<number, number>, index: number) => {
    let mapped = map.get(index);
    if (mapped === undefined) {
      mapped = map.size;
      map.set(index, mapped);
    }
    return mapped;
  };
  for (let position = 0; position < count; position++) {
    const row = rows[position]!;
    promptIndex[position] = remap(promptMap, data.promptIndex[row]!);
    leftIndex[position] = remap(itemMap, data.leftIndex[row]!);
    rightIndex[position] = remap(itemMap, data.rightIndex[row]!);
    user[position] = data.user[row]!;
    label[position] = data.label[row]!;
  }
  return {
    prompts: gatherMapped(data.prompts, promptMap),
    items: gatherMapped(data.items, itemMap),
    promptIndex,
    leftIndex,
    rightIndex,
    user,
    label,
    userIds: data.userIds,
  };
}

function gatherMapped(matrix: Matrix, map: Map<number, number>): Matrix {
  const out = createMatrix(map.size, matrix.cols);
  for (const [source, target] of map) {
    out.data.set(matrix.data.subarray(source * matrix.cols, (source + 1) * matrix.cols), target * matrix.cols);
  }
  return out;
}

/** Row indices of the comparisons whose user is in `userIndices`. */
export function rowsOfUsers(data: EmbeddedComparisons, userIndices: Set<number>): number[] {
  const rows: number[] = [];
  for (let row = 0; row < data.user.length; row++) if (userIndices.has(data.user[row]!)) rows.push(row);
  return rows;
}
