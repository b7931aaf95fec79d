import type { Activation, LossSettings } from '@pal/core';
import type { Dimension, GraphBuilder } from './graph-builder.js';
import { OPSET_VERSION } from '../onnx/encode-model.js';
import { OnnxDataType, type OnnxElementType } from '../onnx/onnx-proto.js';
import { Tape } from './tape.js';

/**
 * How the positions of one index array map back onto table rows, as value names: `first` [n] the first
 * position reading each row (any position for rows nobody reads), `empty` the rows nobody reads,
 * `repeatRows` the rows read more than once, `repeat` all positions reading those rows sorted by row,
 * and `repeatBounds` [q + 1] where each of those rows' runs starts in `[0; repeat]`-coordinates.
 */
export interface RowSegments {
  first: string;
  empty: string;
  repeat: string;
  repeatRows: string;
  repeatBounds: string;
}

const INV_SQRT2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * The op set PAL needs, each emitted as ONNX nodes and recorded with its vector-Jacobian product, so
 * that `gradients` can emit the backward pass into the same graph (reverse-mode differentiation).
 * Values are ONNX value names; shapes are tracked statically (symbolic dimensions allowed) so that
 * broadcasting ops know which axes to sum when they send gradients back.
 */
export class DifferentiableGraph {
  readonly tape = new Tape();
  private readonly shapes = new Map<string, Dimension[]>();

  /**
   * @param resolveInput maps a named input to an existing value instead of a graph input (a Loop body
   *   reads its step's slice of stacked inputs, or a loop-carried value); undefined keeps a graph input.
   */
  constructor(
    readonly graph: GraphBuilder,
    readonly resolveInput?: (name: string, type: OnnxElementType, shape: Dimension[]) => string | undefined,
    /** Opset of the standard domain; from 20 on GELU is one fused op whose backward recomputes erf. */
    readonly opset = OPSET_VERSION,
  ) {}

  /** Records the shape of a value created outside this class (graph inputs, constants). */
  declare(value: string, shape: Dimension[]): string {
    this.shapes.set(value, shape);
    return value;
  }

  /** The static shape of a value. */
  shapeOf(value: string): Dimension[] {
    const shape = this.shapes.get(value);
    if (!shape) throw new Error(`internal: no shape recorded for value ${value}`);
    return shape;
  }

  /** Gradients of the scalar `target` with respect to `wrt` (undefined for values it does not depend on). */
  gradients(target: string, wrt: string[]): Map<string, string | undefined> {
    const seed = this.graph.op('Expand', [this.graph.scalar(1), this.graph.op('Shape', [target])]);
    return this.tape.backpropagate(this.graph, target, seed, wrt);
  }

  /** Y = X W^T + b, a Linear layer with weight [out, in] (PyTorch's layout). */
  linear(x: string, weight: string, bias: string): string {
    const g = this.graph;
    const y = g.op('Gemm', [x, weight, bias], { transB: 1 });
    this.shapes.set(y, [this.shapeOf(x)[0]!, this.shapeOf(weight)[0]!]);
    this.tape.record([x, weight, bias], [y], ([dy], needed) => [
      needed[0] ? g.op('MatMul', [dy!, weight]) : undefined,
      needed[1] ? g.op('Gemm', [dy!, x], { transA: 1 }) : undefined,
      needed[2] ? g.op('ReduceSum', [dy!, g.int64s([0])], { keepdims: 0 }) : undefined,
    ]);
    return y;
  }

  /** Y = X W^T, a Linear layer without bias. */
  matmulTransposed(x: string, weight: string): string {
    const g = this.graph;
    const y = g.op('Gemm', [x, weight], { transB: 1 });
    this.shapes.set(y, [this.shapeOf(x)[0]!, this.shapeOf(weight)[0]!]);
    this.tape.record([x, weight], [y], ([dy], needed) => [
      needed[0] ? g.op('MatMul', [dy!, weight]) : undefined,
      needed[1] ? g.op('Gemm', [dy!, x], { transA: 1 }) : undefined,
    ]);
    return y;
  }

  /**
   * Element-wise activation. GELU is the exact erf form (PyTorch's default): the Gelu op from opset 20
   * (one pass, and only its input is kept for the backward pass), composed from Erf below that.
   */
  activation(x: string, activation: Activation): string {
    const g = this.graph;
    if (activation === 'linear') return x;
    if (activation === 'relu') return this.relu(x);
    if (this.opset >= 20) {
      const y = g.op('Gelu', [x]);
      this.shapes.set(y, this.shapeOf(x));
      this.tape.record([x], [y], ([dy]) => {
        // 2 GELU'(x) = 1 + erf(x / sqrt 2) + 2 x phi(x), with 2 x phi(x) = a x exp(-x^2 / 2) for a = sqrt(2 / pi).
        const a = Math.sqrt(2 / Math.PI);
        const ax = g.op('Mul', [x, g.scalar(a)]);
        const exponent = g.op('Mul', [ax, g.op('Mul', [x, g.scalar(-0.5 / a)])]);
        const twice = g.op('Sum', [g.op('Erf', [g.op('Mul', [x, g.scalar(INV_SQRT2)])]), g.op('Mul', [ax, g.op('Exp', [exponent])]), g.scalar(1)]);
        return [g.op('Mul', [dy!, g.op('Mul', [twice, g.scalar(0.5)])])];
      });
      return y;
    }
    const scaled = g.op('Mul', [x, g.scalar(INV_SQRT2)]);
    const cdf = g.op('Mul', [g.op('Add', [g.op('Erf', [scaled]), g.scalar(1)]), g.scalar(0.5)]);
    const y = g.op('Mul', [x, cdf]);
    this.shapes.set(y, this.shapeOf(x));
    this.tape.record([x], [y], ([dy]) => {
      // GELU'(x) = Phi(x) + x phi(x), with phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
      const density = g.op('Exp', [g.op('Mul', [g.op('Mul', [x, x]), g.scalar(-0.5)])]);
      const derivative = g.op('Add', [cdf, g.op('Mul', [g.op('Mul', [x, density]), g.scalar(INV_SQRT_2PI)])]);
      return [g.op('Mul', [dy!, derivative])];
    });
    return y;
  }

  /** max(x, 0). */
  relu(x: string): string {
    const g = this.graph;
    const y = g.op('Relu', [x]);
    this.shapes.set(y, this.shapeOf(x));
    this.tape.record([x], [y], ([dy]) => [g.op('Mul', [dy!, g.op('Sign', [y])])]);
    return y;
  }

  /** Dropout with a given scaled mask (0 or 1/(1-p)), so masks come from core's step seed. */
  dropout(x: string, mask: string): string {
    const g = this.graph;
    const y = g.op('Mul', [x, mask]);
    this.shapes.set(y, this.shapeOf(x));
    this.tape.record([x], [y], ([dy]) => [g.op('Mul', [dy!, mask])]);
    return y;
  }

  /** a + b with broadcasting. */
  add(a: string, b: string): string {
    const g = this.graph;
    const y = this.broadcastResult(g.op('Add', [a, b]), a, b);
    this.tape.record([a, b], [y], ([dy], needed) => [
      needed[0] ? this.reduceTo(dy!, a, y) : undefined,
      needed[1] ? this.reduceTo(dy!, b, y) : undefined,
    ]);
    return y;
  }

  /** a - b with broadcasting. */
  sub(a: string, b: string): string {
    const g = this.graph;
    const y = this.broadcastResult(g.op('Sub', [a, b]), a, b);
    this.tape.record([a, b], [y], ([dy], needed) => [
      needed[0] ? this.reduceTo(dy!, a, y) : undefined,
      needed[1] ? this.reduceTo(g.op('Neg', [dy!]), b, y) : undefined,
    ]);
    return y;
  }

  /** a * b with broadcasting. */
  mul(a: string, b: string): string {
    const g = this.graph;
    const y = this.broadcastResult(g.op('Mul', [a, b]), a, b);
    this.tape.record([a, b], [y], ([dy], needed) => [
      needed[0] ? this.reduceTo(g.op('Mul', [dy!, b]), a, y) : undefined,
      needed[1] ? this.reduceTo(g.op('Mul', [dy!, a]), b, y) : undefined,
    ]);
    return y;
  }

  /** a / b with broadcasting. */
  div(a: string, b: string): string {
    const g = this.graph;
    const y = this.broadcastResult(g.op('Div', [a, b]), a, b);
    this.tape.record([a, b], [y], ([dy], needed) => [
      needed[0] ? this.reduceTo(g.op('Div', [dy!, b]), a, y) : undefined,
      needed[1] ? this.reduceTo(g.op('Neg', [g.op('Mul', [dy!, g.op('Div', [y, b])])]), b, y) : undefined,
    ]);
    return y;
  }

  /**
   * Rows `index` of `table` ([n, d] -> [m, d]). The gradient of a table row is the sum of the gradients
   * of the positions that read it, a segment sum over `segments` (see `segmentSum`): ScatterND with
   * reduction 'add' would be shorter, but ONNX Runtime's CPU kernel races on repeated indices once
   * tensors are large and returns wrong sums. Graphs that are never differentiated may omit `segments`.
   */
  gatherRows(table: string, index: string, count: Dimension, segments?: RowSegments): string {
    const g = this.graph;
    const y = g.op('Gather', [table, index], { axis: 0 });
    this.shapes.set(y, [count, ...this.shapeOf(table).slice(1)]);
    this.tape.record([table], [y], ([dy]) => {
      if (!segments) throw new Error(`internal: gather of ${table} is differentiated but has no row segments`);
      return [this.segmentSum(dy!, segments)];
    });
    return y;
  }

  /**
   * Sums rows of `values` [m, d] into table rows (see `RowSegments`): each row starts as its first
   * reader's row (one gather), rows nobody reads are zeroed, and rows read more than once are replaced
   * by the sum of all their readers, computed as a float64 running sum over those positions sorted by
   * row and rounded once. Every ScatterND here writes distinct rows, so none races; on batches without
   * repeated rows the work is one gather of the table's rows.
   */
  private segmentSum(values: string, segments: RowSegments): string {
    const g = this.graph;
    const width = g.op('Slice', [g.op('Shape', [values]), g.int64s([1]), g.int64s([2])]);
    const rowsOf = (count: string) => g.op('Concat', [count, width], { axis: 0 });
    let sums = g.op('Gather', [values, segments.first], { axis: 0 });
    const emptyRows = g.op('Unsqueeze', [segments.empty, g.int64s([-1])]);
    const emptyCount = g.op('Shape', [segments.empty]);
    sums = g.op('ScatterND', [sums, emptyRows, g.op('Expand', [g.scalar(0), rowsOf(emptyCount)])]);
    // Running sum over [0; readers of repeated rows, sorted by row]; a row's sum is the difference across its run.
    const further = g.op('Gather', [values, segments.repeat], { axis: 0 });
    const padded = g.op('Concat', [g.op('Expand', [g.scalar(0), rowsOf(g.int64s([1]))]), further], { axis: 0 });
    const running = g.op('CumSum', [g.op('Cast', [padded], { to: OnnxDataType.double }), g.int64s([0], [])]);
    const ends = g.op('Slice', [segments.repeatBounds, g.int64s([1]), g.int64s([Number.MAX_SAFE_INTEGER])]);
    const starts = g.op('Slice', [segments.repeatBounds, g.int64s([0]), g.int64s([-1])]);
    const repeated = g.op('Cast', [g.op('Sub', [g.op('Gather', [running, ends], { axis: 0 }), g.op('Gather', [running, starts], { axis: 0 })])], { to: OnnxDataType.float });
    return g.op('ScatterND', [sums, g.op('Unsqueeze', [segments.repeatRows, g.int64s([-1])]), repeated]);
  }

  /** Matrix product a [m, k] b [k, n]. */
  matmul(a: string, b: string): string {
    const g = this.graph;
    const y = g.op('MatMul', [a, b]);
    this.shapes.set(y, [this.shapeOf(a)[0]!, this.shapeOf(b)[1]!]);
    this.tape.record([a, b], [y], ([dy], needed) => [
      needed[0] ? g.op('Gemm', [dy!, b], { transB: 1 }) : undefined,
      needed[1] ? g.op('Gemm', [a, dy!], { transA: 1 }) : undefined,
    ]);
    return y;
  }

  /** Row-wise dot products of two [n, d] matrices, as a column [n, 1]. */
  rowDot(a: string, b: string): string {
    const g = this.graph;
    const y = g.op('ReduceSum', [g.op('Mul', [a, b]), g.int64s([1])], { keepdims: 1 });
    this.shapes.set(y, [this.shapeOf(a)[0]!, 1]);
    this.tape.record([a, b], [y], ([dy], needed) => [
      needed[0] ? g.op('Mul', [dy!, b]) : undefined,
      needed[1] ? g.op('Mul', [dy!, a]) : undefined,
    ]);
    return y;
  }

  /** Row norms sqrt(||x_i||^2 + epsilon) as a column [n, 1]. */
  rowNorm(x: string, epsilon: number): string {
    const g = this.graph;
    let squared = this.rowSumSquares(x);
    if (epsilon > 0) squared = g.op('Add', [squared, g.scalar(epsilon)]);
    const y = g.op('Sqrt', [squared]);
    this.shapes.set(y, [this.shapeOf(x)[0]!, 1]);
    this.tape.record([x], [y], ([dy]) => [g.op('Mul', [x, g.op('Div', [dy!, y])])]);
    return y;
  }

  /** Unit rows x_i / sqrt(||x_i||^2 + epsilon). */
  normalizeRows(x: string, epsilon: number): string {
    const g = this.graph;
    const norm = g.op('Sqrt', [g.op('Add', [this.rowSumSquares(x), g.scalar(epsilon)])]);
    const y = g.op('Div', [x, norm]);
    this.shapes.set(y, this.shapeOf(x));
    this.tape.record([x], [y], ([dy]) => {
      // d x = (d u - u <u, d u>) / norm.
      const projection = g.op('ReduceSum', [g.op('Mul', [y, dy!]), g.int64s([1])], { keepdims: 1 });
      return [g.op('Div', [g.op('Sub', [dy!, g.op('Mul', [y, projection])]), norm])];
    });
    return y;
  }

  /** Softmax over the last axis of a [n, k] matrix. */
  softmaxRows(x: string): string {
    const g = this.graph;
    const y = g.op('Softmax', [x], { axis: -1 });
    this.shapes.set(y, this.shapeOf(x));
    this.tape.record([x], [y], ([dy]) => {
      const inner = g.op('ReduceSum', [g.op('Mul', [y, dy!]), g.int64s([-1])], { keepdims: 1 });
      return [g.op('Mul', [y, g.op('Sub', [dy!, inner])])];
    });
    return y;
  }

  /** Per-row mixtures sum_k weights[:, k] * rows_k for K matrices rows_k [n, d] and weights [n, K]. */
  mixRows(weights: string, rows: string[]): string {
    const g = this.graph;
    const columns = rows.length === 1 ? [weights] : g.node('Split', [weights], rows.length, this.opset >= 18 ? { axis: 1, num_outputs: rows.length } : { axis: 1 });
    const terms = rows.map((row, k) => g.op('Mul', [row, columns[k]!]));
    const y = terms.length === 1 ? terms[0]! : g.op('Sum', terms);
    this.shapes.set(y, this.shapeOf(rows[0]!));
    this.tape.record([weights, ...rows], [y], ([dy], needed) => {
      const weightGradient = needed[0]
        ? rows.length === 1
          ? g.op('ReduceSum', [g.op('Mul', [dy!, rows[0]!]), g.int64s([1])], { keepdims: 1 })
          : g.op('Concat', rows.map((row) => g.op('ReduceSum', [g.op('Mul', [dy!, row]), g.int64s([1])], { keepdims: 1 })), { axis: 1 })
        : undefined;
      return [weightGradient, ...rows.map((_, k) => (needed[k + 1] ? g.op('Mul', [dy!, columns[k]!]) : undefined))];
    });
    return y;
  }

  /** exp(min(x, limit)): PAL-B's clamped logit scale; the gradient is 0 once clamped (as the reference). */
  clampedExp(x: string, limit: number): string {
    const g = this.graph;
    const limitValue = g.scalar(limit);
    const y = g.op('Exp', [g.op('Min', [x, limitValue])]);
    this.shapes.set(y, this.shapeOf(x));
    this.tape.record([x], [y], ([dy]) => [g.op('Mul', [dy!, g.op('Where', [g.op('Less', [x, limitValue]), y, g.scalar(0)])])]);
    return y;
  }

  /** The pairwise loss of core at each margin m = y * (r_left - r_right), element-wise. */
  pairwiseLoss(margin: string, settings: LossSettings): string {
    const g = this.graph;
    let value: string;
    let derivative: string;
    switch (settings.kind) {
      case 'logistic': {
        // softplus(-m) = max(-m, 0) + log(1 + e^-|m|), stable for any m; d/dm = -sigmoid(-m).
        const negative = g.op('Neg', [margin]);
        value = g.op('Add', [g.op('Relu', [negative]), g.op('Softplus', [g.op('Neg', [g.op('Abs', [margin])])])]);
        derivative = g.op('Neg', [g.op('Sigmoid', [negative])]);
        break;
      }
      case 'hinge':
        value = g.op('Relu', [g.op('Sub', [g.scalar(settings.margin), margin])]);
        derivative = g.op('Neg', [g.op('Sign', [value])]);
        break;
      case 'smoothed-hinge': {
        // 0.5 t^2 + max(-m, 0) with t = clip(1 - m, 0, 1) gives 0.5 - m, 0.5 (1 - m)^2 and 0 on the three pieces.
        const clipped = g.op('Clip', [g.op('Sub', [g.scalar(1), margin]), g.scalar(0), g.scalar(1)]);
        value = g.op('Add', [g.op('Mul', [g.op('Mul', [clipped, clipped]), g.scalar(0.5)]), g.op('Relu', [g.op('Neg', [margin])])]);
        derivative = g.op('Neg', [clipped]);
        break;
      }
    }
    this.shapes.set(value, this.shapeOf(margin));
    this.tape.record([margin], [value], ([dy]) => [g.op('Mul', [dy!, derivative])]);
    return value;
  }

  /** Sum of every element, as a scalar (shape []). */
  sumAll(x: string): string {
    const g = this.graph;
    const y = g.op('ReduceSum', [x], { keepdims: 0 });
    this.shapes.set(y, []);
    this.tape.record([x], [y], ([dy]) => [g.op('Expand', [dy!, g.op('Shape', [x])])]);
    return y;
  }

  /** sum_j x_ij^2 as a column (axes moved from an attribute to an input in opset 18). */
  private rowSumSquares(x: string): string {
    const g = this.graph;
    return this.opset >= 18 ? g.op('ReduceSumSquare', [x, g.int64s([1])], { keepdims: 1 }) : g.op('ReduceSumSquare', [x], { axes: [1], keepdims: 1 });
  }

  private broadcastResult(y: string, a: string, b: string): string {
    const shapeA = this.shapeOf(a);
    const shapeB = this.shapeOf(b);
    const rank = Math.max(shapeA.length, shapeB.length);
    const shape: Dimension[] = [];
    for (let axis = 0; axis < rank; axis++) {
      const dimA = shapeA[axis - (rank - shapeA.length)] ?? 1;
      const dimB = shapeB[axis - (rank - shapeB.length)] ?? 1;
      shape.push(dimA === 1 ? dimB : dimA);
    }
    this.shapes.set(y, shape);
    return y;
  }

  /** Sums a broadcast gradient back to the shape of `target`. */
  private reduceTo(gradient: string, target: string, result: string): string {
    const g = this.graph;
    const targetShape = this.shapeOf(target);
    const resultShape = this.shapeOf(result);
    const offset = resultShape.length - targetShape.length;
    const axes: number[] = [];
    resultShape.forEach((dimension, axis) => {
      const targetDimension = axis < offset ? undefined : targetShape[axis - offset];
      if ((targetDimension === undefined || targetDimension === 1) && dimension !== 1) axes.push(axis);
    });
    if (axes.length === 0) return gradient;
    const reduced = g.op('ReduceSum', [gradient, g.int64s(axes)], { keepdims: 1 });
    return offset > 0 ? g.op('Reshape', [reduced, g.op('Shape', [target])]) : reduced;
  }
}
