import { StackedInputs, type MultiStepGraph } from '../model/multi-step-graph.js';
import type { BatchFeeds, Feed } from './batch-feeds.js';

/**
 * The inputs of one multi-step run: each step's batch inputs concatenated along their first axis, row
 * offsets per dimension so the Loop body can slice its step back out, and per-step scalars as vectors.
 */
export function stackStepFeeds(graph: MultiStepGraph, steps: BatchFeeds[], scalars: Record<string, number>[]): Record<string, Feed> {
  const feeds: Record<string, Feed> = {};
  feeds[StackedInputs.steps] = { type: 'int64', data: BigInt64Array.of(BigInt(steps.length)), dims: [] };
  const rowsPerStep = new Map<string, number[]>();
  for (const { name, dimension } of graph.stackedRows) {
    if (!rowsPerStep.has(dimension)) rowsPerStep.set(dimension, steps.map((step) => step.feeds[name]!.dims[0]!));
    const parts = steps.map((step) => step.feeds[name]!);
    const first = parts[0]!;
    const rows = parts.reduce((total, part) => total + part.dims[0]!, 0);
    const data = first.type === 'int64' ? concatenate(parts.map((part) => part.data as BigInt64Array), BigInt64Array) : concatenate(parts.map((part) => part.data as Float32Array), Float32Array);
    feeds[StackedInputs.stacked(name)] = { type: first.type, data, dims: [rows, ...first.dims.slice(1)] } as Feed;
  }
  for (const [dimension, rows] of rowsPerStep) {
    const offsets = new BigInt64Array(steps.length + 1);
    rows.forEach((count, index) => (offsets[index + 1] = offsets[index]! + BigInt(count)));
    feeds[StackedInputs.offsets(dimension)] = { type: 'int64', data: offsets, dims: [steps.length + 1] };
  }
  for (const name of graph.stackedScalars) {
    feeds[StackedInputs.stacked(name)] = { type: 'float32', data: Float32Array.from(scalars, (values) => values[name]!), dims: [steps.length] };
  }
  return feeds;
}

/** The arrays one after another in a new array. */
export function concatenate<T extends Float32Array | BigInt64Array>(parts: T[], type: { new (length: number): T }): T {
  const out = new type(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    (out as Float32Array).set(part as unknown as Float32Array, offset);
    offset += part.length;
  }
  return out;
}
