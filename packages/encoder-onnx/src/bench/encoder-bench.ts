import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEmbeddingCache, createHashingTextEncoder, embedWithCache, type EncodableInput, type EncoderV1, Random } from '@pal/core';
import sharp from 'sharp';
import { createOnnxImageEncoder } from '../onnx-image-encoder.js';
import { createOnnxTextEncoder } from '../onnx-text-encoder.js';
import { tinyVocabulary, writeTinyTextModel } from '../testing/tiny-text-model.js';
import { writeTinyVisionModel } from '../testing/tiny-vision-model.js';

/**
 * Throughput of the encoders on the test models: texts/s and images/s at batch 1 and 32.
 * Run with `pnpm --filter @pal/encoder-onnx bench` after `pnpm build`.
 */

const TEXTS = 512;
const IMAGES = 192;

function sentences(count: number, random: Random): string[] {
  const words = tinyVocabulary().filter((token) => /^[a-z]{2,}$/.test(token));
  return Array.from({ length: count }, () => Array.from({ length: 8 + random.integer(40) }, () => words[random.integer(words.length)]).join(' '));
}

/** Best of three timed passes over `inputs` in calls of `batch` inputs, after one warm-up call. */
async function throughput(encode: (inputs: EncodableInput[]) => Promise<unknown>, inputs: EncodableInput[], batch: number): Promise<number> {
  await encode(inputs.slice(0, batch));
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const start = performance.now();
    for (let offset = 0; offset < inputs.length; offset += batch) await encode(inputs.slice(offset, offset + batch));
    best = Math.min(best, performance.now() - start);
  }
  return (inputs.length / best) * 1000;
}

const rows: string[] = [];
function report(encoder: string, unit: string, batch: number, perSecond: number): void {
  const line = `| ${encoder} | ${batch} | ${perSecond.toFixed(0)} ${unit}/s |`;
  rows.push(line);
  console.log(line);
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pal-encoder-bench-'));
  const random = new Random(11);
  try {
    console.log(`# encoder throughput (${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)})`);
    console.log('| encoder | batch | throughput |\n| --- | --- | --- |');
    const texts = sentences(TEXTS, random);

    const hashing: EncoderV1 = createHashingTextEncoder();
    for (const batch of [1, 32]) report('hashing text (dim 512, uni+bigrams)', 'texts', batch, await throughput((inputs) => hashing.doEncode(inputs), texts, batch));

    // The embedding cache: a first run that embeds and appends (fsync per batch of 64), then a rerun that only reads.
    const cacheTexts = sentences(20_000, random).map((text, index) => `${index} ${text}`);
    const cache = createEmbeddingCache(join(root, 'cache'));
    let start = performance.now();
    await embedWithCache(hashing, cacheTexts, { cache, batchSize: 64 });
    report('hashing text + embedding cache, first run (embed + write)', 'texts', 64, (cacheTexts.length / (performance.now() - start)) * 1000);
    start = performance.now();
    await embedWithCache(hashing, cacheTexts, { cache, batchSize: 64 });
    report('embedding cache, rerun (hash inputs + read 512-d records)', 'texts', 64, (cacheTexts.length / (performance.now() - start)) * 1000);

    const textModels = [
      { label: 'tiny BERT-like (hidden 16, 1 block)', hidden: 16 },
      { label: 'BERT-like (hidden 384, 1 block)', hidden: 384 },
    ];
    for (const { label, hidden } of textModels) {
      const directory = await writeTinyTextModel(join(root, `text-${hidden}`), { hidden, maxPositions: 128 });
      for (const batch of [1, 32]) {
        const encoder = await createOnnxTextEncoder({ model: directory, batchSize: batch, maxLength: 64 });
        report(`ONNX text: ${label}, max 64 tokens`, 'texts', batch, await throughput((inputs) => encoder.doEncode(inputs), texts, batch));
        await encoder.close();
      }
    }

    const imagePaths: EncodableInput[] = [];
    for (let index = 0; index < IMAGES; index++) {
      const width = 200 + random.integer(200);
      const height = 200 + random.integer(200);
      const path = join(root, `image-${index}.png`);
      const pixels = Buffer.from(Array.from({ length: width * height * 3 }, () => random.integer(256)));
      await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toFile(path);
      imagePaths.push({ kind: 'image', path, id: String(index) });
    }
    const visionModels = [
      { label: 'tiny CLIP-vision-like (32 px, patch 8)', imageSize: 32, patchSize: 8, hidden: 8, embedding: 12 },
      { label: 'CLIP-vision-sized input (224 px, patch 32, width 64, 512-d)', imageSize: 224, patchSize: 32, hidden: 64, embedding: 512 },
    ];
    for (const { label, ...options } of visionModels) {
      const directory = await writeTinyVisionModel(join(root, `vision-${options.imageSize}`), options);
      for (const batch of [1, 32]) {
        const encoder = await createOnnxImageEncoder({ model: directory, batchSize: batch });
        report(`ONNX image: ${label}, 200-400 px PNG files`, 'images', batch, await throughput((inputs) => encoder.doEncode(inputs), imagePaths, batch));
        await encoder.close();
      }
    }
    console.log(`load average at the end: ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
