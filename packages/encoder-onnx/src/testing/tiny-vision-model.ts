import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from '@pal/core';
import { OnnxDataType, OnnxModelWriter } from './onnx-model-writer.js';

/** Sizes of the tiny CLIP-vision-like test model. */
export interface TinyVisionModelOptions {
  imageSize?: number;
  patchSize?: number;
  hidden?: number;
  embedding?: number;
  seed?: number;
}

/** CLIP's published preprocessing constants (OpenAI CLIP image mean and standard deviation). */
export const CLIP_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073];
export const CLIP_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711];

/**
 * Writes a tiny CLIP-vision-like model folder (preprocessor_config.json, config.json,
 * onnx/vision_model.onnx) with random weights: a strided Conv patch embedding, flattened, a tanh
 * projection to `image_embeds`. The flatten keeps patch positions, so cropping differently changes the output.
 */
export async function writeTinyVisionModel(directory: string, options: TinyVisionModelOptions = {}): Promise<string> {
  const imageSize = options.imageSize ?? 32;
  const patchSize = options.patchSize ?? 8;
  const hidden = options.hidden ?? 8;
  const embedding = options.embedding ?? 12;
  const random = new Random(options.seed ?? 2);
  const patches = (imageSize / patchSize) ** 2;
  const model = new OnnxModelWriter(17);
  const weight = (name: string, dims: number[], scale: number) =>
    model.constant(name, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random.normal() * scale), dims);

  const pixels = model.input('pixel_values', OnnxDataType.float, ['batch', 3, imageSize, imageSize]);
  const patchEmbeddings = model.node('Conv', [pixels, weight('patch_weight', [hidden, 3, patchSize, patchSize], 0.05), weight('patch_bias', [hidden], 0.1)], {
    kernel_shape: { ints: [patchSize, patchSize] },
    strides: { ints: [patchSize, patchSize] },
  });
  const flat = model.node('Reshape', [patchEmbeddings, model.constant('flat_shape', BigInt64Array.of(0n, -1n), [2])]);
  const projected = model.node('Add', [model.node('MatMul', [flat, weight('projection', [hidden * patches, embedding], 0.2)]), weight('projection_bias', [embedding], 0.1)]);
  model.node('Tanh', [projected], {}, 'image_embeds');
  model.output('image_embeds', OnnxDataType.float, ['batch', embedding]);

  await mkdir(join(directory, 'onnx'), { recursive: true });
  await writeFile(join(directory, 'onnx', 'vision_model.onnx'), model.toBytes());
  await writeFile(
    join(directory, 'preprocessor_config.json'),
    JSON.stringify({
      image_processor_type: 'CLIPImageProcessor',
      do_resize: true,
      size: { shortest_edge: imageSize },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: imageSize, width: imageSize },
      do_rescale: true,
      rescale_factor: 1 / 255,
      do_normalize: true,
      image_mean: CLIP_IMAGE_MEAN,
      image_std: CLIP_IMAGE_STD,
      do_convert_rgb: true,
    }),
  );
  await writeFile(join(directory, 'config.json'), JSON.stringify({ model_type: 'clip_vision_model', projection_dim: embedding, image_size: imageSize, patch_size: patchSize }));
  return directory;
}
