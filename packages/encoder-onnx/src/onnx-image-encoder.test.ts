import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, matrixRow, Random } from '@pal/core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './testing/expect-close.js';
import { imagePreprocessorConfigSchema, preprocessImage } from './image-preprocessing.js';
import { createOnnxImageEncoder, type OnnxImageEncoder } from './onnx-image-encoder.js';
import { CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, writeTinyVisionModel } from './testing/tiny-vision-model.js';

const EMBEDDING = 12;
const SIZE = 32;
let root: string;
let modelDirectory: string;
const opened: OnnxImageEncoder[] = [];
const images: string[] = [];

async function open(settings: { batchSize?: number; normalize?: boolean } = {}): Promise<OnnxImageEncoder> {
  const encoder = await createOnnxImageEncoder({ model: modelDirectory, ...settings });
  opened.push(encoder);
  return encoder;
}

function randomPixels(random: Random, width: number, height: number, channels: number): Buffer {
  return Buffer.from(Array.from({ length: width * height * channels }, () => random.integer(256)));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pal-onnx-image-'));
  modelDirectory = await writeTinyVisionModel(join(root, 'tiny-clip'), { imageSize: SIZE, patchSize: 8, hidden: 8, embedding: EMBEDDING });
  const random = new Random(5);
  const shapes: [number, number][] = [
    [40, 56],
    [64, 48],
    [32, 32],
    [100, 30],
    [33, 77],
  ];
  for (const [index, [width, height]] of shapes.entries()) {
    const path = join(root, `image-${index}.png`);
    await sharp(randomPixels(random, width, height, 3), { raw: { width, height, channels: 3 } }).png().toFile(path);
    images.push(path);
  }
});
afterAll(async () => {
  for (const encoder of opened) await encoder.close();
  await rm(root, { recursive: true, force: true });
});

describe('preprocessImage', () => {
  const config = imagePreprocessorConfigSchema.parse({
    size: { shortest_edge: SIZE },
    crop_size: { height: SIZE, width: SIZE },
    image_mean: CLIP_IMAGE_MEAN,
    image_std: CLIP_IMAGE_STD,
  });

  it('should rescale and normalise each channel with the config mean and std, channel first', async () => {
    const colour = [200, 100, 30];
    const pixels = Buffer.from(Array.from({ length: SIZE * SIZE }, () => colour).flat());
    const { values, height, width } = await preprocessImage({ pixels, width: SIZE, height: SIZE, channels: 3 }, config);
    expect([height, width]).toEqual([SIZE, SIZE]);
    expect(values.length).toBe(3 * SIZE * SIZE);
    for (let channel = 0; channel < 3; channel++) {
      const expected = (colour[channel]! / 255 - CLIP_IMAGE_MEAN[channel]!) / CLIP_IMAGE_STD[channel]!;
      const plane = values.subarray(channel * SIZE * SIZE, (channel + 1) * SIZE * SIZE);
      expectClose(plane, new Float32Array(plane.length).fill(expected), 1e-5);
    }
  });

  it('should resize the shortest edge and take the centre crop', async () => {
    // 192 x 64 with three 64-pixel bands (red, green, blue) becomes 96 x 32; the centre 32 x 32 is the green band.
    const width = 192;
    const height = 64;
    const pixels = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) pixels[(y * width + x) * 3 + Math.floor(x / 64)] = 255;
    }
    const plain = imagePreprocessorConfigSchema.parse({ ...config, do_normalize: false });
    const { values } = await preprocessImage({ pixels, width, height, channels: 3 }, plain);
    const plane = SIZE * SIZE;
    // Columns away from the band edges, where the resampling kernel mixes neighbours.
    for (let y = 0; y < SIZE; y++) {
      for (let x = 3; x < SIZE - 3; x++) {
        expect([values[y * SIZE + x], values[plane + y * SIZE + x], values[2 * plane + y * SIZE + x]]).toEqual([0, 1, 0]);
      }
    }
  });

  it('should turn grey and RGBA images into three colour channels', async () => {
    const grey = await sharp(Buffer.alloc(SIZE * SIZE, 128), { raw: { width: SIZE, height: SIZE, channels: 1 } }).png().toBuffer();
    const plain = imagePreprocessorConfigSchema.parse({ ...config, do_normalize: false });
    const { values } = await preprocessImage(grey, plain);
    expectClose(values, new Float32Array(3 * SIZE * SIZE).fill(128 / 255), 1e-6);
    const rgba = Buffer.from(Array.from({ length: SIZE * SIZE }, () => [10, 20, 30, 0]).flat());
    const fromRgba = await preprocessImage({ pixels: rgba, width: SIZE, height: SIZE, channels: 4 }, plain);
    expect([fromRgba.values[0], fromRgba.values[SIZE * SIZE], fromRgba.values[2 * SIZE * SIZE]].map((value) => Math.round(value! * 255))).toEqual([10, 20, 30]);
  });

  it('should pad an image smaller than the crop with black, centred', async () => {
    const small = imagePreprocessorConfigSchema.parse({ do_resize: false, crop_size: SIZE, do_normalize: false });
    const white = Buffer.alloc(16 * 16 * 3, 255);
    const { values } = await preprocessImage({ pixels: white, width: 16, height: 16, channels: 3 }, small);
    expect(values.length).toBe(3 * SIZE * SIZE);
    expect([values[0], values[8 * SIZE + 8], values[23 * SIZE + 23], values[24 * SIZE + 24]]).toEqual([0, 1, 1, 0]);
  });

  it('should name the image it cannot decode', async () => {
    await expect(preprocessImage(Uint8Array.of(1, 2, 3), config, "'broken'")).rejects.toThrow(/image 'broken' \(3 bytes\): cannot be decoded/);
    await expect(preprocessImage({ pixels: new Uint8Array(5), width: 2, height: 2, channels: 3 }, config)).rejects.toThrow(/expected 2 x 2 x 3 = 12 pixel values, found 5/);
  });
});

describe('createOnnxImageEncoder', () => {
  it('should embed image files into unit-norm rows of the model width', async () => {
    const encoder = await open();
    const { embeddings } = await encoder.doEncode(images.map((path, index) => ({ kind: 'image' as const, path, id: `image-${index}` })));
    expect([embeddings.rows, embeddings.cols]).toEqual([images.length, EMBEDDING]);
    expect(encoder.dimension).toBe(EMBEDDING);
    for (let row = 0; row < images.length; row++) expect(Math.hypot(...matrixRow(embeddings, row))).toBeCloseTo(1, 5);
    expect(encoder.id).toMatch(/^onnx-image:v1:sha256:[0-9a-f]{32}:file=onnx\/vision_model\.onnx:output=image_embeds:normalize=true$/);
  });

  it('should give the same embedding for a file, its bytes and its decoded pixels', async () => {
    const encoder = await open();
    const bytes = await readFile(images[0]!);
    const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
    const { embeddings } = await encoder.embedImages([images[0]!, bytes, { pixels: data, width: info.width, height: info.height, channels: info.channels as 3 }]);
    expect([...matrixRow(embeddings, 1)]).toEqual([...matrixRow(embeddings, 0)]);
    expect([...matrixRow(embeddings, 2)]).toEqual([...matrixRow(embeddings, 0)]);
  });

  it('should match running the model by hand on the preprocessed pixels', async () => {
    const encoder = await open({ normalize: false });
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(join(modelDirectory, 'onnx', 'vision_model.onnx'));
    const { values } = await preprocessImage(images[3]!, encoder.preprocessing);
    const expected = (await session.run({ pixel_values: new ort.Tensor('float32', values, [1, 3, SIZE, SIZE]) })).image_embeds!.data as Float32Array;
    await session.release();
    const { embeddings } = await encoder.embedImages([images[3]!]);
    expectClose(embeddings.data, expected, 1e-6);
  });

  it('should give the same embeddings whatever the batch size, and the same on every run', async () => {
    const one = (await (await open({ batchSize: 1 })).embedImages(images)).embeddings;
    const two = (await (await open({ batchSize: 2 })).embedImages(images)).embeddings;
    const all = (await (await open({ batchSize: 32 })).embedImages(images)).embeddings;
    expectClose(two.data, one.data, 1e-5);
    expectClose(all.data, one.data, 1e-5);
    const again = (await (await open({ batchSize: 32 })).embedImages(images)).embeddings;
    expect([...again.data]).toEqual([...all.data]);
  });

  it('should refuse text inputs and undecodable images, naming them', async () => {
    const encoder = await open();
    await expect(encoder.doEncode(['a caption'])).rejects.toThrow(InvalidArgumentError);
    const broken = join(root, 'broken.png');
    await writeFile(broken, 'not an image');
    await expect(encoder.doEncode([{ kind: 'image', path: broken, id: 'broken-one' }])).rejects.toThrow(/image 'broken-one' \(.*broken\.png\): cannot be decoded/);
  });
});
