import { describe, expect, it } from 'vitest';
import { InvalidPreferenceDataError } from '../errors/errors.js';
import { createMatrix, matrixFromRows } from './matrix.js';
import { indexDenseComparisons, selectComparisons, validateEmbeddedComparisons, type EmbeddedComparisons } from './embedded-comparisons.js';
import { preferenceExampleSchema } from './preference-example.js';

function sample(): EmbeddedComparisons {
  return {
    prompts: matrixFromRows([[1, 0], [0, 1]]),
    items: matrixFromRows([[1, 2, 3], [4, 5, 6], [7, 8, 9]]),
    promptIndex: Int32Array.from([0, 1, 1]),
    leftIndex: Int32Array.from([0, 1, 2]),
    rightIndex: Int32Array.from([1, 2, 0]),
    user: Int32Array.from([0, 1, 0]),
    label: Int8Array.from([1, 0, 1]),
    userIds: ['ann', 'bo'],
  };
}

describe('validateEmbeddedComparisons', () => {
  it('should accept well-formed data', () => {
    expect(validateEmbeddedComparisons(sample()).label.length).toBe(3);
  });

  it('should name the row and column of a NaN or Infinity', () => {
    const data = sample();
    data.items.data[4] = Number.NaN;
    expect(() => validateEmbeddedComparisons(data)).toThrow(/items\.1\.1: expected a finite number, found NaN/);
    const infinite = sample();
    infinite.prompts.data[3] = Infinity;
    expect(() => validateEmbeddedComparisons(infinite)).toThrow(/prompts\.1\.1: expected a finite number, found Infinity/);
  });

  it('should reject labels other than 1 (left) and 0 (right), naming the row', () => {
    const data = sample();
    data.label[2] = -1;
    expect(() => validateEmbeddedComparisons(data)).toThrow(/label\.2: expected 1 \(left preferred\) or 0 \(right preferred\), found -1/);
  });

  it('should reject out-of-range indices and mismatched lengths', () => {
    const data = sample();
    data.rightIndex[1] = 3;
    expect(() => validateEmbeddedComparisons(data)).toThrow(/rightIndex\.1: expected an index in \[0, 3\), found 3/);
    const short = { ...sample(), user: Int32Array.from([0]) };
    expect(() => validateEmbeddedComparisons(short)).toThrow(/user: expected 3 entries/);
    const badMatrix = { ...sample(), items: { data: new Float32Array(5), rows: 3, cols: 3 } };
    expect(() => validateEmbeddedComparisons(badMatrix)).toThrow(InvalidPreferenceDataError);
  });

  it('should reject empty data', () => {
    const empty: EmbeddedComparisons = { ...sample(), promptIndex: new Int32Array(), leftIndex: new Int32Array(), rightIndex: new Int32Array(), user: new Int32Array(), label: new Int8Array() };
    expect(() => validateEmbeddedComparisons(empty, 'training comparisons')).toThrow(/training comparisons: expected at least one comparison, found none/);
  });
});

describe('indexed comparisons', () => {
  it('should store each distinct embedding once when indexing dense rows', () => {
    const prompt = matrixFromRows([[1], [1], [2]]);
    const left = matrixFromRows([[1, 1], [3, 3], [1, 1]]);
    const right = matrixFromRows([[3, 3], [1, 1], [5, 5]]);
    const indexed = indexDenseComparisons({ prompt, left, right, user: Int32Array.from([0, 0, 0]), label: Int8Array.from([1, 0, 1]), userIds: ['a'] });
    expect(indexed.prompts.rows).toBe(2);
    expect(indexed.items.rows).toBe(3);
    expect(Array.from(indexed.leftIndex)).toEqual([0, 1, 0]);
    expect(Array.from(indexed.rightIndex)).toEqual([1, 0, 2]);
  });

  it('should compact a selection to the prompts and items it uses', () => {
    const selected = selectComparisons(sample(), [2]);
    expect(selected.items.rows).toBe(2);
    expect(selected.prompts.rows).toBe(1);
    expect(Array.from(selected.items.data)).toEqual([7, 8, 9, 1, 2, 3]);
    expect(selected.userIds).toEqual(['ann', 'bo']);
    expect(createMatrix(2, 2).data.length).toBe(4);
  });
});

describe('preferenceExampleSchema', () => {
  const row = { id: 'r1', userId: 'u1', prompt: 'q', left: 'Yes', right: 'No', preferred: 'left', split: 'train' };
  it('should accept a well-formed row', () => {
    expect(preferenceExampleSchema.parse(row).preferred).toBe('left');
  });
  it('should reject a preferred side that is not left or right', () => {
    const result = preferenceExampleSchema.safeParse({ ...row, preferred: 'up' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['preferred']);
  });
});
