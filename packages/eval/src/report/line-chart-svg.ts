import type { LineChart } from './report-data.js';
import { coordinate, escapeXml, paletteColor } from './svg-text.js';

const WIDTH = 640;
const PLOT_HEIGHT = 270;
const MARGIN = { left: 64, right: 24, top: 16 };
const LEGEND_ROW = 18;
const LEGEND_COLUMNS = 3;

/** Round tick positions covering [low, high] with about `count` steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(low: number, high: number, count = 5): number[] {
  if (!(high > low)) return [low];
  const rough = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let value = Math.ceil(low / step - 1e-9) * step; value <= high + step * 1e-9; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** A tick label: a percentage, a short decimal, or exponent notation for very large or small values. */
export function formatTick(value: number, percent: boolean): string {
  if (percent) return `${Number((value * 100).toPrecision(4))}%`;
  if (Math.abs(value) >= 1000 || (Math.abs(value) < 0.01 && value !== 0)) return value.toExponential(0);
  return String(Number(value.toPrecision(4)));
}

/** Renders a line chart as an inline SVG element: one circle (`class="mark"`) per data point. */
export function renderLineChart(chart: LineChart): string {
  const points = chart.series.flatMap((series) => series.points);
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const log = chart.xScale === 'log';
  if (log && xs.some((x) => x <= 0)) throw new RangeError(`chart "${chart.id}": a log x axis needs positive x values`);
  const toAxis = (x: number) => (log ? Math.log10(x) : x);
  let [xLow, xHigh] = xs.length > 0 ? [Math.min(...xs.map(toAxis)), Math.max(...xs.map(toAxis))] : [0, 1];
  if (xLow === xHigh) [xLow, xHigh] = [xLow - 1, xHigh + 1];
  let [yLow, yHigh] = chart.yDomain ?? (ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [0, 1]);
  if (!chart.yDomain) {
    const pad = (yHigh - yLow) * 0.08 || Math.abs(yHigh) * 0.1 || 1;
    [yLow, yHigh] = [yLow - pad, yHigh + pad];
  }
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = PLOT_HEIGHT;
  const legendTop = MARGIN.top + plotHeight + 66;
  const height = legendTop + Math.ceil(chart.series.length / LEGEND_COLUMNS) * LEGEND_ROW;
  const sx = (x: number) => MARGIN.left + ((toAxis(x) - xLow) / (xHigh - xLow)) * plotWidth;
  const sy = (y: number) => MARGIN.top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight;

  const distinctX = [...new Set(xs)].sort((a, b) => a - b);
  const xTicks = log || distinctX.length <= 10 ? distinctX : niceTicks(xLow, xHigh, 8);
  const inRange = (ticks: number[]) => ticks.filter((tick) => tick >= yLow - 1e-9 && tick <= yHigh + 1e-9);
  let yTicks = inRange(niceTicks(yLow, yHigh, 5));
  if (yTicks.length < 4) yTicks = inRange(niceTicks(yLow, yHigh, 10));
  const parts: string[] = [];
  parts.push(`<rect class="plot-area" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${plotHeight}"/>`);
  for (const tick of yTicks) {
    const y = coordinate(sy(tick));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(tick, chart.percent))}</text>`);
  }
  for (const tick of xTicks) {
    const x = coordinate(sx(tick));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${escapeXml(formatTick(tick, false))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${MARGIN.left + plotWidth / 2}" y="${MARGIN.top + plotHeight + 42}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  parts.push(
    `<text class="axis-label" transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, index) => {
    const color = paletteColor(index);
    const sorted = [...series.points].sort((a, b) => a.x - b.x);
    if (sorted.length > 1) {
      const path = sorted.map((point, position) => `${position === 0 ? 'M' : 'L'}${coordinate(sx(point.x))} ${coordinate(sy(point.y))}`).join(' ');
      parts.push(`<path class="series-line" d="${path}" stroke="${color}"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    for (const point of sorted) {
      const label = `${series.name}: ${chart.xLabel} ${formatTick(point.x, false)}, ${chart.yLabel} ${formatTick(point.y, chart.percent)}`;
      parts.push(`<circle class="mark" cx="${coordinate(sx(point.x))}" cy="${coordinate(sy(point.y))}" r="3.5" fill="${color}"><title>${escapeXml(label)}</title></circle>`);
    }
  });
  // Legend: rows of swatches under the x axis label.
  chart.series.forEach((series, index) => {
    const x = MARGIN.left + (index % LEGEND_COLUMNS) * (plotWidth / LEGEND_COLUMNS);
    const y = legendTop + Math.floor(index / LEGEND_COLUMNS) * LEGEND_ROW - LEGEND_ROW / 2;
    parts.push(
      `<line class="legend-swatch" x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${paletteColor(index)}"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>` +
        `<text class="legend" x="${x + 28}" y="${y}" dominant-baseline="middle">${escapeXml(series.name)}</text>`,
    );
  });
  const marks = points.length;
  return (
    `<svg class="chart" data-chart="${escapeXml(chart.id)}" data-marks="${marks}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${escapeXml(chart.id)}-title" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${escapeXml(chart.id)}-title">${escapeXml(chart.title)}</title>${parts.join('')}</svg>`
  );
}
