import { formatTick, niceTicks } from './line-chart-svg.js';
import type { ScatterChart, ScatterSeries } from './report-data.js';
import { coordinate, escapeXml, paletteColor } from './svg-text.js';

const SIDE = 360;
const MARGIN = { left: 56, top: 14 };
const LEGEND_LEFT = MARGIN.left + SIDE + 24;
const LEGEND_ROW = 20;
const WIDTH = LEGEND_LEFT + 220;

/** One mark's SVG: a filled circle or square, or an outlined cross or ring; data marks have `class="mark"`. */
function markSvg(series: ScatterSeries, color: string, x: number, y: number, title: string, legend = false): string {
  const size = series.size;
  const filled = legend ? 'legend-swatch' : 'mark';
  const outline = legend ? 'legend-swatch outline-mark' : 'mark outline-mark';
  const tip = `<title>${escapeXml(title)}</title>`;
  const [cx, cy] = [coordinate(x), coordinate(y)];
  if (series.marker === 'square') return `<rect class="${filled}" x="${coordinate(x - size)}" y="${coordinate(y - size)}" width="${coordinate(2 * size)}" height="${coordinate(2 * size)}" fill="${color}">${tip}</rect>`;
  if (series.marker === 'ring') return `<circle class="${outline}" cx="${cx}" cy="${cy}" r="${coordinate(size)}" fill="none" style="stroke: ${color}; stroke-width: 2">${tip}</circle>`;
  if (series.marker === 'cross') {
    const d = `M${coordinate(x - size)} ${coordinate(y - size)} L${coordinate(x + size)} ${coordinate(y + size)} M${coordinate(x - size)} ${coordinate(y + size)} L${coordinate(x + size)} ${coordinate(y - size)}`;
    return `<path class="${outline}" d="${d}" fill="none" style="stroke: ${color}; stroke-width: 2">${tip}</path>`;
  }
  return `<circle class="${filled}" cx="${cx}" cy="${cy}" r="${coordinate(size)}" fill="${color}">${tip}</circle>`;
}

/**
 * Renders a scatter chart as an inline SVG with equal x and y scales (distances read true), a square plot
 * and the legend on the right. Series are drawn in order, so later series sit on top.
 */
export function renderScatterChart(chart: ScatterChart): string {
  const points = chart.series.flatMap((series) => series.points);
  const xs = points.map((point) => point.x);
  const ys = points.map((point) => point.y);
  const [xLow, xHigh] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [-1, 1];
  const [yLow, yHigh] = ys.length > 0 ? [Math.min(...ys), Math.max(...ys)] : [-1, 1];
  const half = (Math.max(xHigh - xLow, yHigh - yLow) / 2) * 1.1 || 1;
  const center = { x: (xLow + xHigh) / 2, y: (yLow + yHigh) / 2 };
  const sx = (x: number) => MARGIN.left + ((x - center.x + half) / (2 * half)) * SIDE;
  const sy = (y: number) => MARGIN.top + (1 - (y - center.y + half) / (2 * half)) * SIDE;
  const parts: string[] = [`<rect class="plot-area" x="${MARGIN.left}" y="${MARGIN.top}" width="${SIDE}" height="${SIDE}"/>`];
  for (const tick of niceTicks(center.x - half, center.x + half, 5)) {
    const x = coordinate(sx(tick));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + SIDE}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${MARGIN.top + SIDE + 18}" text-anchor="middle">${escapeXml(formatTick(tick, false))}</text>`);
  }
  for (const tick of niceTicks(center.y - half, center.y + half, 5)) {
    const y = coordinate(sy(tick));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + SIDE}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(formatTick(tick, false))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${MARGIN.left + SIDE / 2}" y="${MARGIN.top + SIDE + 42}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(16 ${MARGIN.top + SIDE / 2}) rotate(-90)" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  chart.series.forEach((series, index) => {
    const color = paletteColor(series.color ?? index);
    for (const point of series.points) {
      const title = `${point.label ?? series.name}: (${formatTick(point.x, false)}, ${formatTick(point.y, false)})`;
      parts.push(markSvg(series, color, sx(point.x), sy(point.y), title));
    }
    const y = MARGIN.top + 8 + index * LEGEND_ROW;
    parts.push(markSvg({ ...series, size: Math.min(series.size, 6) }, color, LEGEND_LEFT + 6, y, series.name, true));
    parts.push(`<text class="legend" x="${LEGEND_LEFT + 20}" y="${y}" dominant-baseline="middle">${escapeXml(series.name)}</text>`);
  });
  const height = Math.max(MARGIN.top + SIDE + 54, MARGIN.top + chart.series.length * LEGEND_ROW + 8);
  return (
    `<svg class="chart" data-chart="${escapeXml(chart.id)}" data-marks="${points.length}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-labelledby="${escapeXml(chart.id)}-title" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${escapeXml(chart.id)}-title">${escapeXml(chart.title)}</title>${parts.join('')}</svg>`
  );
}
