/**
 * A 32-bit seed for one named sub-stream (FNV-1a of the label mixed with the root seed), so that a user's
 * queries depend only on the seed and the user's id, not on how many other users are generated.
 */
export function seedFor(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  hash = Math.imul(hash, 0x01000193) >>> 0;
  for (let index = 0; index < label.length; index++) {
    hash ^= label.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
