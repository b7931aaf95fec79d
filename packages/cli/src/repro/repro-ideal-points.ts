import { generateSyntheticPreferences, type ComputeBackendV1, type Matrix } from '@pal/core';
import { idealPointsChart, kSweep, type ReportSection } from '@pal/eval';
import type { Output } from '../output/output.js';
import type { ReproPanel } from './repro-panel.js';
import { syntheticDefinition, syntheticTrainOptions, type ReproScale } from './repro-synthetic.js';

/** Rows of a matrix as arrays. */
function rowsOf(matrix: Matrix): number[][] {
  return Array.from({ length: matrix.rows }, (_, row) => Array.from(matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols)));
}

/**
 * Figure 5 (a) / D.1 of the paper: d = 2, K* = 3, N = 100 users with 100 pairs each, PAL-A with a linear f
 * for K = 1, 2, 3 in the partition and mixture settings. The charts show prototypes and ideal points in
 * the input space (the model's a_i = P w_i, as the paper plots them), beside the true ones.
 */
export async function reproIdealPoints(backend: ComputeBackendV1, scale: ReproScale, output: Output): Promise<{ panels: ReproPanel[]; charts: ReportSection[]; settings: Record<string, unknown> }> {
  const small = scale === 'small';
  const dimension = 2;
  const trueK = 3;
  const ks = [1, 2, 3];
  const numUsers = small ? 30 : 100;
  const pairsPerUser = small ? 40 : 100;
  const epochs = small ? 30 : 250;
  const settings = ['partition', 'mixture'] as const;
  const panel: ReproPanel = {
    id: 'ideal-points-accuracy',
    figure: 'Figure D.1',
    title: 'seen accuracy against K (d = 2, K* = 3)',
    xLabel: 'prototypes K',
    series: [],
    paper: 'accuracy (and the fit of the ideal points) improves as K approaches K* = 3; K = 1 is close to random in the partition setting.',
  };
  const charts: ReportSection[] = [];
  const distances: Record<string, number[]> = {};
  for (const [index, setting] of settings.entries()) {
    const data = generateSyntheticPreferences({ setting, dimension, numPrototypes: trueK, numUsers, pairsPerUser, heldOutPairsPerUser: 50, seed: 40 + index });
    const sweep = await output.task(`ideal points (${setting})`, () =>
      kSweep({ backend, definition: syntheticDefinition(dimension), ks, train: data.train, validation: data.validation, test: data.test, trainOptions: syntheticTrainOptions(epochs) }),
    );
    panel.series.push({ name: `${setting} setting`, points: sweep.points.map((point) => ({ x: point.k, y: point.seenAccuracy })) });
    const prototypes = rowsOf(data.truth.prototypes);
    const weights = rowsOf(data.truth.userWeights);
    const trueIdeal = (userId: string) => {
      const row = weights[Number(userId.replace('user-', ''))]!;
      return [0, 1].map((axis) => row.reduce((sum, weight, k) => sum + weight * prototypes[k]![axis]!, 0));
    };
    for (const k of ks) {
      const model = sweep.models[k]!;
      const truth = { prototypes, idealPoints: model.userIds.map(trueIdeal) };
      const accuracy = sweep.points.find((point) => point.k === k)!.seenAccuracy;
      const chart = idealPointsChart(model, truth, {
        id: `ideal-points-${setting}-k${k}`,
        title: `Figure D.1 (${String.fromCharCode(97 + index * 3 + k - 1)}): ${setting} setting, K = ${k}`,
        caption: `Input space of the data (d = 2), where items, prototypes p_k and ideal points a_i = sum_k w_ik p_k live; seen accuracy ${(accuracy * 100).toFixed(1)}%.`,
      });
      charts.push(chart);
      distances[`${setting} K=${k}`] = nearestPrototypeDistances(prototypes, chart.series[3]!.points.map((point) => [point.x, point.y]));
    }
  }
  return { panels: [panel], charts, settings: { scale, dimension, trueK, ks, numUsers, pairsPerUser, epochs, model: syntheticDefinition(dimension), trainOptions: syntheticTrainOptions(epochs), trueToNearestLearnedPrototype: distances } };
}

/** For each true prototype, the distance to the nearest learned one (how well the prototypes are recovered). */
export function nearestPrototypeDistances(truth: number[][], learned: number[][]): number[] {
  return truth.map((point) => Math.min(...learned.map((candidate) => Math.hypot(...point.map((value, axis) => value - candidate[axis]!)))));
}
