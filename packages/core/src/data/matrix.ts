import { DimensionMismatchError, InvalidPreferenceDataError } from '../errors/errors.js';

/** A dense row-major float32 matrix: the only numeric type that crosses package boundaries. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** Creates a zero matrix, or wraps `data` after checking its length. */
export function createMatrix(rows: number, cols: number, data?: Float32Array): Matrix {
  if (data === undefined) return { data: new Float32Array(rows * cols), rows, cols };
  if (data.length !== rows * cols) {
    throw new DimensionMismatchError(`matrix data has ${data.length} values, expected ${rows} x ${cols} = ${rows * cols}`);
  }
  return { data, rows, cols };
}

/** Builds a matrix from an array of equal-length rows. */
export function matrixFromRows(rows: ArrayLike<number>[], cols?: number): Matrix {
  const width = cols ?? (rows.length > 0 ? rows[0]!.length : 0);
  const matrix = createMatrix(rows.length, width);
  rows.forEach((row, index) => {
    if (row.length !== width) {
      throw new DimensionMismatchError(`row ${index} has ${row.length} values, expected ${width}`);
    }
    matrix.data.set(row, index * width);
  });
  return matrix;
}

/** A view of one row (no copy). */
export function matrixRow(matrix: Matrix, row: number): Float32Array {
  return matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols);
}

/** Copies the listed rows into a new matrix. */
export function gatherRows(matrix: Matrix, rows: ArrayLike<number>): Matrix {
  const out = createMatrix(rows.length, matrix.cols);
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    out.data.set(matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols), index * matrix.cols);
  }
  return out;
}

/** Throws an InvalidPreferenceDataError naming the first NaN or Infinity, with its row and column. */
export function assertFiniteMatrix(matrix: Matrix, name: string): void {
  const { data, cols } = matrix;
  for (let index = 0; index < data.length; index++) {
    if (!Number.isFinite(data[index]!)) {
      const row = Math.floor(index / Math.max(cols, 1));
      throw new InvalidPreferenceDataError(
        `${name} row ${row}, column ${index - row * cols}: expected a finite number, found ${data[index]}`,
      );
    }
  }
}
