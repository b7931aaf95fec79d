import { parseModelDefinition, PROTOTYPES, USER_LOGITS, type PalModel } from '@pal/core';
import { describe, expect, it } from 'vitest';
import { idealPointsChart, learnedIdealPoints } from './report-charts.js';
import { renderScatterChart } from './scatter-chart-svg.js';

/** A 2-D PAL-A model with prototypes (0, 0) and (2, 0): user 0 halfway, user 1 almost on the second prototype. */
function twoPrototypeModel(): PalModel {
  const definition = parseModelDefinition({ kind: 'pal-a', numPrototypes: 2, itemDim: 2, latentDim: 2, projector: 'mlp0-linear-dropout0', head: 'euclidean' });
  return {
    definition,
    userIds: ['user-0', 'user-1'],
    weights: {
      [PROTOTYPES]: { shape: [2, 2], data: Float32Array.from([0, 0, 2, 0]) },
      [USER_LOGITS]: { shape: [2, 2], data: Float32Array.from([0, 0, -20, 20]) },
    },
  };
}

describe('learnedIdealPoints', () => {
  it('should place each user at the mixture of the prototypes given by the softmax of their logits', () => {
    const { prototypes, idealPoints } = learnedIdealPoints(twoPrototypeModel());
    expect(prototypes).toEqual([[0, 0], [2, 0]]);
    expect(idealPoints[0]![0]).toBeCloseTo(1, 6);
    expect(idealPoints[1]![0]).toBeCloseTo(2, 6);
    expect(idealPoints[1]![1]).toBeCloseTo(0, 6);
  });
});

describe('renderScatterChart', () => {
  it('should draw one mark per point (legend swatches excluded) on equal x and y scales', () => {
    const chart = idealPointsChart(twoPrototypeModel(), { prototypes: [[0, 0], [2, 0]], idealPoints: [[1, 0], [2, 0]] }, { id: 'ideal', title: 'ideal points' });
    const svg = renderScatterChart(chart);
    expect(svg.match(/class="mark( outline-mark)?"/g)).toHaveLength(8);
    expect(svg).toContain('data-marks="8"');
    // Learned prototypes are squares of half-width 6: (0, 0) and (2, 0) must be the same height on screen.
    const squares = [...svg.matchAll(/<rect class="mark" x="([\d.]+)" y="([\d.]+)"/g)].map((match) => ({ x: Number(match[1]), y: Number(match[2]) }));
    expect(squares).toHaveLength(2);
    expect(squares[0]!.y).toBeCloseTo(squares[1]!.y, 6);
    const pixelsPerUnit = (squares[1]!.x - squares[0]!.x) / 2;
    // The plot is square (360 px) and spans 1.1 times the larger data range, here x's range of 2.
    expect(pixelsPerUnit).toBeCloseTo(360 / 2.2, 0);
  });

  it('should refuse a model whose input space is not 2-D', () => {
    const model = twoPrototypeModel();
    model.weights[PROTOTYPES] = { shape: [2, 4], data: new Float32Array(8) };
    expect(() => idealPointsChart(model, { prototypes: [], idealPoints: [] }, { id: 'x', title: 'x' })).toThrow(/expected a 2-D input space, found 4 dimensions/);
  });
});
