import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { Random } from '@pal/core';
import { addSegmentFeeds } from '../backend/batch-feeds.js';
import { toTensors } from '../backend/session-runner.js';
import { declareIndex } from '../model/objective-graph.js';
import { TRAINING_OPSET_VERSION, encodeModel } from '../onnx/encode-model.js';
import { DifferentiableGraph } from './differentiable-graph.js';
import { GraphBuilder } from './graph-builder.js';

describe('DifferentiableGraph', () => {
  it.each([256, 4096, 3])('should sum the gradients of repeated gathered rows exactly and deterministically (%i positions)', async (count) => {
    // Positions reading 300 rows of width 1024: ONNX Runtime's ScatterND with reduction 'add' returned
    // wrong sums at these sizes from time to time; the segment sum must not.
    const rows = 300;
    const width = 1024;
    const random = new Random(3);
    const index = Int32Array.from({ length: count }, () => random.integer(rows));
    const weights = Float32Array.from({ length: count * width }, () => random.uniform() - 0.5);
    const graph = new DifferentiableGraph(new GraphBuilder('gather_gradient'), undefined, TRAINING_OPSET_VERSION);
    const g = graph.graph;
    const table = graph.declare(g.input('table', 'float', [rows, width]), [rows, width]);
    const weight = graph.declare(g.input('weight', 'float', ['count', width]), ['count', width]);
    const { index: indexInput, segments } = declareIndex(graph, 'index', 'count', true);
    const loss = graph.sumAll(graph.mul(graph.gatherRows(table, indexInput, 'count', segments), weight));
    g.output(graph.gradients(loss, [table]).get(table)!, 'gradient', 'float', [rows, width]);
    const session = await ort.InferenceSession.create(encodeModel(g, { opset: TRAINING_OPSET_VERSION }));
    const feeds: Parameters<typeof toTensors>[0] = {
      table: { type: 'float32', data: new Float32Array(rows * width), dims: [rows, width] },
      weight: { type: 'float32', data: weights, dims: [count, width] },
      index: { type: 'int64', data: BigInt64Array.from(index, (value) => BigInt(value)), dims: [count] },
    };
    addSegmentFeeds(feeds, 'index', index, rows);
    const expected = new Float64Array(rows * width);
    for (let position = 0; position < count; position++) {
      for (let column = 0; column < width; column++) expected[index[position]! * width + column]! += weights[position * width + column]!;
    }
    for (let run = 0; run < 6; run++) {
      const gradient = (await session.run(toTensors(feeds))).gradient!.data as Float32Array;
      let worst = 0;
      for (let element = 0; element < gradient.length; element++) worst = Math.max(worst, Math.abs(gradient[element]! - expected[element]!));
      expect(worst, `run ${run}: largest error of a summed row`).toBeLessThan(1e-6);
    }
    await session.release();
  });
});
