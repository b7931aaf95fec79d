import { InvalidArgumentError, PluginUnavailableError } from '@pal/core';
import type { Sharp, SharpOptions } from 'sharp';
import { z } from 'zod';

/** An image to embed: a file path, the encoded bytes of a file (PNG, JPEG, WebP, ...), or decoded pixels. */
export type ImageSource = string | Uint8Array | DecodedImage;

/** Decoded 8-bit pixels, row-major and interleaved (RGB, RGBA, grey or grey + alpha). */
export interface DecodedImage {
  pixels: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

const sizeSchema = z.union([
  z.number().int().positive(),
  z.object({ shortest_edge: z.number().int().positive() }).passthrough(),
  z.object({ height: z.number().int().positive(), width: z.number().int().positive() }).passthrough(),
]);

/** The fields of a Hugging Face `preprocessor_config.json` (CLIPImageProcessor and alike) this encoder applies. */
export const imagePreprocessorConfigSchema = z
  .object({
    do_resize: z.boolean().default(true),
    size: sizeSchema.optional(),
    /** PIL resampling filter code: 0 nearest, 1 Lanczos, 2 bilinear, 3 bicubic, 4 box, 5 Hamming. */
    resample: z.number().int().min(0).max(5).default(3),
    do_center_crop: z.boolean().default(true),
    crop_size: z.union([z.number().int().positive(), z.object({ height: z.number().int().positive(), width: z.number().int().positive() }).passthrough()]).optional(),
    do_rescale: z.boolean().default(true),
    rescale_factor: z.number().positive().default(1 / 255),
    do_normalize: z.boolean().default(true),
    image_mean: z.union([z.number(), z.array(z.number()).length(3)]).default([0.48145466, 0.4578275, 0.40821073]),
    image_std: z.union([z.number().positive(), z.array(z.number().positive()).length(3)]).default([0.26862954, 0.26130258, 0.27577711]),
  })
  .passthrough();
/** A parsed preprocessor config with defaults filled in. */
export type ImagePreprocessorConfig = z.output<typeof imagePreprocessorConfigSchema>;

/** Resampling filter of sharp closest to each PIL code (bicubic is the CLIP default). */
const KERNELS = ['nearest', 'lanczos3', 'linear', 'cubic', 'linear', 'linear'] as const;

type SharpFactory = (input?: Buffer | Uint8Array | Uint8ClampedArray | string, options?: SharpOptions) => Sharp;
let sharpModule: Promise<SharpFactory> | undefined;

/** Loads sharp once, turning a missing native binary into a PluginUnavailableError. */
function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then(
    (module) => (module as unknown as { default: SharpFactory }).default,
    (error: unknown) => {
      sharpModule = undefined;
      throw new PluginUnavailableError('sharp cannot be loaded on this machine; install it (npm install sharp@0.35.5) for a supported platform', {
        source: 'encoder-onnx',
        cause: error,
      });
    },
  );
  return sharpModule;
}

type Resize = { kind: 'shortest-edge'; edge: number } | { kind: 'exact'; height: number; width: number };

/** What the config asks for: a resize (shortest edge or exact size) and a centre crop, each optional. */
function geometry(config: ImagePreprocessorConfig): { resize: Resize | undefined; crop: { height: number; width: number } | undefined } {
  let resize: Resize | undefined;
  if (config.do_resize && config.size !== undefined) {
    const size = config.size as number | { shortest_edge?: number; height?: number; width?: number };
    if (typeof size === 'number') resize = { kind: 'shortest-edge', edge: size };
    else if (size.shortest_edge !== undefined) resize = { kind: 'shortest-edge', edge: size.shortest_edge };
    else resize = { kind: 'exact', height: size.height!, width: size.width! };
  }
  let crop: { height: number; width: number } | undefined;
  if (config.do_center_crop && config.crop_size !== undefined) {
    const size = config.crop_size as number | { height: number; width: number };
    crop = typeof size === 'number' ? { height: size, width: size } : { height: size.height, width: size.width };
  }
  return { resize, crop };
}

/** The height and width the model's input has after resizing and cropping (undefined when the config fixes neither). */
export function outputSize(config: ImagePreprocessorConfig): { height: number; width: number } | undefined {
  const { resize, crop } = geometry(config);
  if (crop) return crop;
  if (resize?.kind === 'exact') return { height: resize.height, width: resize.width };
  if (resize) return { height: resize.edge, width: resize.edge };
  return undefined;
}

/** Size after resizing: shortest edge scaled to the target keeping the aspect ratio (long side truncated, as transformers does), or an exact size. */
function resizedSize(resize: Resize | undefined, height: number, width: number): { height: number; width: number } {
  if (resize === undefined) return { height, width };
  if (resize.kind === 'exact') return { height: resize.height, width: resize.width };
  const short = Math.min(height, width);
  const long = Math.max(height, width);
  const scaledLong = Math.max(1, Math.floor((resize.edge * long) / short));
  return height <= width ? { height: resize.edge, width: scaledLong } : { height: scaledLong, width: resize.edge };
}

function describe(source: ImageSource, label: string): string {
  if (typeof source === 'string') return `image ${label} (${source})`;
  if (source instanceof Uint8Array) return `image ${label} (${source.length} bytes)`;
  return `image ${label} (${source.width} x ${source.height} pixels)`;
}

/**
 * Turns an image into the model's pixel_values, channel-first float32 [3, height, width]: decode,
 * apply EXIF orientation, drop alpha, convert to sRGB, resize (shortest edge or exact size), centre
 * crop, rescale and normalise with the config's mean and std. Resampling uses libvips' kernels, so
 * values are close to, not bit-identical with, Python's PIL pipeline.
 */
export async function preprocessImage(source: ImageSource, config: ImagePreprocessorConfig, label = ''): Promise<{ values: Float32Array; height: number; width: number }> {
  const sharp = await loadSharp();
  let image: Sharp;
  let height: number;
  let width: number;
  try {
    if (typeof source === 'string' || source instanceof Uint8Array) {
      image = sharp(source, { failOn: 'error' });
      const metadata = await image.metadata();
      if (metadata.width === undefined || metadata.height === undefined) throw new TypeError('the image has no size');
      const swapped = (metadata.orientation ?? 1) >= 5;
      height = swapped ? metadata.width : metadata.height;
      width = swapped ? metadata.height : metadata.width;
    } else {
      if (source.pixels.length !== source.width * source.height * source.channels) {
        throw new InvalidArgumentError(
          `${describe(source, label)}: expected ${source.width} x ${source.height} x ${source.channels} = ${source.width * source.height * source.channels} pixel values, found ${source.pixels.length}`,
          { source: 'encoder-onnx' },
        );
      }
      image = sharp(source.pixels, { raw: { width: source.width, height: source.height, channels: source.channels } });
      height = source.height;
      width = source.width;
    }
    const { resize, crop } = geometry(config);
    const resized = resizedSize(resize, height, width);
    image = image.rotate().removeAlpha().toColourspace('srgb');
    if (resized.height !== height || resized.width !== width) {
      image = image.resize(resized.width, resized.height, { fit: 'fill', kernel: KERNELS[config.resample] });
    }
    let final = resized;
    if (crop) {
      // Images smaller than the crop are padded with black first, centred, as transformers does.
      const padTop = Math.max(0, Math.floor((crop.height - resized.height) / 2));
      const padLeft = Math.max(0, Math.floor((crop.width - resized.width) / 2));
      const paddedHeight = Math.max(resized.height, crop.height);
      const paddedWidth = Math.max(resized.width, crop.width);
      if (paddedHeight !== resized.height || paddedWidth !== resized.width) {
        image = image.extend({
          top: padTop,
          bottom: paddedHeight - resized.height - padTop,
          left: padLeft,
          right: paddedWidth - resized.width - padLeft,
          background: { r: 0, g: 0, b: 0 },
        });
        // sharp applies extend after resize only once the pipeline is materialised.
        image = sharp(await image.raw().toBuffer(), { raw: { width: paddedWidth, height: paddedHeight, channels: 3 } });
      }
      const top = Math.floor((paddedHeight - crop.height) / 2);
      const left = Math.floor((paddedWidth - crop.width) / 2);
      if (top !== 0 || left !== 0 || crop.height !== paddedHeight || crop.width !== paddedWidth) {
        image = image.extract({ top, left, height: crop.height, width: crop.width });
      }
      final = crop;
    }
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== final.width || info.height !== final.height) {
      throw new TypeError(`expected ${final.width} x ${final.height} x 3 after preprocessing, found ${info.width} x ${info.height} x ${info.channels}`);
    }
    return { values: toChannelFirst(data, final.height, final.width, config), height: final.height, width: final.width };
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error;
    throw new InvalidArgumentError(`${describe(source, label)}: cannot be decoded or preprocessed (see cause)`, { source: 'encoder-onnx', cause: error });
  }
}

function toChannelFirst(data: Uint8Array, height: number, width: number, config: ImagePreprocessorConfig): Float32Array {
  const plane = height * width;
  const values = new Float32Array(3 * plane);
  const mean = typeof config.image_mean === 'number' ? [config.image_mean, config.image_mean, config.image_mean] : config.image_mean;
  const std = typeof config.image_std === 'number' ? [config.image_std, config.image_std, config.image_std] : config.image_std;
  const scale = config.do_rescale ? config.rescale_factor : 1;
  for (let channel = 0; channel < 3; channel++) {
    const shift = config.do_normalize ? mean[channel]! : 0;
    const divide = config.do_normalize ? std[channel]! : 1;
    for (let pixel = 0; pixel < plane; pixel++) values[channel * plane + pixel] = (data[pixel * 3 + channel]! * scale - shift) / divide;
  }
  return values;
}
