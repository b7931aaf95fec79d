import sharp from 'sharp';

/** The two filters of Pick-a-Filter (PAL appendix D.6): a cold (blue) and a warm (red) tone. */
export type FilterColour = 'blue' | 'red';

/** The RGB colour each filter pulls pixels toward. */
export const filterTargets: Record<FilterColour, readonly [number, number, number]> = {
  blue: [0, 0, 255],
  red: [255, 0, 0],
};

/** JPEG quality of re-encoded filtered images (the originals stay byte for byte as downloaded). */
export const filteredJpegQuality = 92;

/**
 * Applies a colour filter to decoded pixels and re-encodes the image as JPEG. The paper does not define
 * the filter, so this is our choice: every sRGB pixel is blended toward pure blue (0, 0, 255) or pure red
 * (255, 0, 0), `out = (1 - strength) * in + strength * target` per channel, rounded; alpha is dropped
 * and grey images become RGB first.
 */
export async function applyColourFilter(bytes: Uint8Array, colour: FilterColour, strength: number): Promise<Uint8Array> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  const pixels = info.width * info.height;
  const rgb = new Uint8Array(pixels * 3);
  const target = filterTargets[colour];
  const keep = 1 - strength;
  for (let pixel = 0; pixel < pixels; pixel++) {
    for (let channel = 0; channel < 3; channel++) {
      const value = info.channels >= 3 ? data[pixel * info.channels + channel]! : data[pixel * info.channels]!;
      rgb[pixel * 3 + channel] = Math.round(keep * value + strength * target[channel]!);
    }
  }
  const encoded = await sharp(rgb, { raw: { width: info.width, height: info.height, channels: 3 } }).jpeg({ quality: filteredJpegQuality }).toBuffer();
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
