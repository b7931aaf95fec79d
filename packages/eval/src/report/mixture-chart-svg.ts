import type { MixtureChart } from './report-data.js';
import { coordinate, escapeXml, paletteColor } from './svg-text.js';

const WIDTH = 700;
const HEIGHT = 420;
const CENTER = { x: 250, y: 210 };
const RADIUS = 160;

/** Vertex k of the flat simplex: a regular polygon starting at the top (a segment for K = 2, the centre for K = 1). */
export function simplexVertex(k: number, numPrototypes: number): { x: number; y: number } {
  if (numPrototypes === 1) return { x: 0, y: 0 };
  const angle = numPrototypes === 2 ? Math.PI * (k === 0 ? 1 : 0) : -Math.PI / 2 + (2 * Math.PI * k) / numPrototypes;
  return { x: Math.cos(angle), y: Math.sin(angle) };
}

/** Small deterministic offset from the user id, so users with identical mixtures stay visible as a cluster. */
function jitter(userId: string): { x: number; y: number } {
  let hash = 2166136261;
  for (let index = 0; index < userId.length; index++) hash = Math.imul(hash ^ userId.charCodeAt(index), 16777619) >>> 0;
  const angle = ((hash & 0xffff) / 0xffff) * 2 * Math.PI;
  const radius = ((hash >>> 16) / 0xffff) * 5;
  return { x: Math.cos(angle) * radius, y: Math.sin(angle) * radius };
}

/** Renders users' mixture weights in the flat K-simplex, one circle (`class="mark"`) per user, coloured by true group. */
export function renderMixtureChart(chart: MixtureChart): string {
  const K = Math.max(1, ...chart.users.map((user) => user.weights.length));
  const vertices = Array.from({ length: K }, (_, k) => simplexVertex(k, K));
  const toScreen = (point: { x: number; y: number }) => ({ x: CENTER.x + point.x * RADIUS, y: CENTER.y + point.y * RADIUS });
  const groups = [...new Set(chart.users.map((user) => user.group))].sort();
  const colorOf = new Map(groups.map((group, index) => [group, paletteColor(index)]));
  const parts: string[] = [];
  if (K > 1) {
    const outline = vertices.map((vertex) => toScreen(vertex)).map((point) => `${coordinate(point.x)},${coordinate(point.y)}`).join(' ');
    parts.push(`<polygon class="simplex" points="${outline}"/>`);
  }
  vertices.forEach((vertex, k) => {
    const point = toScreen(vertex);
    // Labels sit outside the polygon, anchored away from it so they never cover users.
    const anchor = K === 1 || Math.abs(vertex.x) < 0.3 ? 'middle' : vertex.x < 0 ? 'end' : 'start';
    const label = K === 1 ? { x: point.x, y: point.y - 18 } : { x: point.x + vertex.x * 12, y: point.y + vertex.y * 16 };
    parts.push(`<rect class="vertex" x="${coordinate(point.x - 4)}" y="${coordinate(point.y - 4)}" width="8" height="8"/>`);
    parts.push(`<text class="vertex-label" x="${coordinate(label.x)}" y="${coordinate(label.y)}" text-anchor="${anchor}" dominant-baseline="middle">prototype ${k + 1}</text>`);
  });
  for (const user of chart.users) {
    const total = user.weights.reduce((sum, weight) => sum + weight, 0) || 1;
    const position = { x: 0, y: 0 };
    user.weights.forEach((weight, k) => {
      position.x += (weight / total) * vertices[k]!.x;
      position.y += (weight / total) * vertices[k]!.y;
    });
    const point = toScreen(position);
    const offset = jitter(user.userId);
    const weights = user.weights.map((weight) => weight.toFixed(2)).join(', ');
    parts.push(
      `<circle class="mark" cx="${coordinate(point.x + offset.x)}" cy="${coordinate(point.y + offset.y)}" r="4" fill="${colorOf.get(user.group)}">` +
        `<title>${escapeXml(`${user.userId} (${user.group}): w = [${weights}]`)}</title></circle>`,
    );
  }
  groups.forEach((group, index) => {
    const y = 40 + index * 22;
    const count = chart.users.filter((user) => user.group === group).length;
    parts.push(
      `<circle class="legend-swatch" cx="476" cy="${y}" r="5" fill="${colorOf.get(group)}"/>` +
        `<text class="legend" x="488" y="${y}" dominant-baseline="middle">${escapeXml(group)} (${count})</text>`,
    );
  });
  return (
    `<svg class="chart" data-chart="${escapeXml(chart.id)}" data-marks="${chart.users.length}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${escapeXml(chart.id)}-title" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${escapeXml(chart.id)}-title">${escapeXml(chart.title)}</title>${parts.join('')}</svg>`
  );
}
