/** Escapes text for HTML and SVG content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A number rounded for an SVG coordinate (keeps files small and diffs stable). */
export function coordinate(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Colour-blind-safe categorical palette (Okabe and Ito), in order of use. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7F7F7F', '#000000'];

/** The palette colour of series or group `index` (cycling). */
export function paletteColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}
