import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, PluginUnavailableError } from '../errors/errors.js';
import { PalError } from '../errors/pal-error.js';
import type { EncoderV1 } from '../spec/encoder/v1/encoder-v1.js';
import { embedWithCache, type EmbeddingProgress } from './embed-with-cache.js';
import { createEmbeddingCache, embeddingCacheFileName } from './embedding-cache.js';
import { EmbeddingCacheError } from './embedding-cache-error.js';
import { createHashingTextEncoder } from './hashing-text-encoder.js';
import { countingEncoder } from './__fixtures__/counting-encoder.js';
import { inputContentKey } from './input-content-key.js';

const DIMENSION = 16;
/** magic + key + dimension + crc32 + values. */
const RECORD_BYTES = 4 + 32 + 4 + 4 + 4 * DIMENSION;

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'pal-embedding-cache-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const texts = Array.from({ length: 40 }, (_, index) => `input text ${index}`);

describe('embedWithCache', () => {
  it('should embed repeated inputs once and return them in input order', async () => {
    const encoder = countingEncoder(createHashingTextEncoder({ dimension: DIMENSION }));
    const inputs = ['b', 'a', 'b', 'c', 'a'];
    const matrix = await embedWithCache(encoder, inputs, { batchSize: 2 });
    expect(encoder.seen).toEqual(['b', 'a', 'c']);
    const reference = (await createHashingTextEncoder({ dimension: DIMENSION }).doEncode(inputs)).embeddings;
    expect([...matrix.data]).toEqual([...reference.data]);
  });

  it('should embed nothing on a rerun and return identical values from the cache', async () => {
    const cache = createEmbeddingCache(directory);
    const first = countingEncoder(createHashingTextEncoder({ dimension: DIMENSION }));
    const fresh = await embedWithCache(first, texts, { cache, batchSize: 8 });
    expect(first.seen).toHaveLength(texts.length);

    const second = countingEncoder(createHashingTextEncoder({ dimension: DIMENSION }));
    const progress: EmbeddingProgress[] = [];
    const reloaded = await embedWithCache(second, [...texts].reverse(), { cache, batchSize: 8, onProgress: (event) => progress.push(event) });
    expect(second.seen).toHaveLength(0);
    expect(progress.at(-1)).toEqual({ done: 40, total: 40, cached: 40, embedded: 0, damaged: 0 });
    for (let row = 0; row < texts.length; row++) {
      expect([...reloaded.data.subarray(row * DIMENSION, (row + 1) * DIMENSION)]).toEqual([
        ...fresh.data.subarray((texts.length - 1 - row) * DIMENSION, (texts.length - row) * DIMENSION),
      ]);
    }
  });

  it('should embed only the inputs the cache does not have yet', async () => {
    const cache = createEmbeddingCache(directory);
    await embedWithCache(createHashingTextEncoder({ dimension: DIMENSION }), texts.slice(0, 25), { cache });
    const encoder = countingEncoder(createHashingTextEncoder({ dimension: DIMENSION }));
    await embedWithCache(encoder, texts, { cache });
    expect(encoder.seen).toEqual(texts.slice(25));
  });

  it('should keep the embeddings of different encoders apart', async () => {
    const cache = createEmbeddingCache(directory);
    const narrow = createHashingTextEncoder({ dimension: DIMENSION });
    const seeded = countingEncoder(createHashingTextEncoder({ dimension: DIMENSION, seed: 3 }));
    const a = await embedWithCache(narrow, ['same text'], { cache });
    const b = await embedWithCache(seeded, ['same text'], { cache });
    expect(seeded.seen).toEqual(['same text']);
    expect([...a.data]).not.toEqual([...b.data]);
    expect(embeddingCacheFileName(narrow.id)).not.toBe(embeddingCacheFileName(seeded.id));
  });

  it('should pass embedding inputs through without the encoder and check their width', async () => {
    const encoder = countingEncoder(createHashingTextEncoder({ dimension: 3 }));
    const matrix = await embedWithCache(encoder, [{ kind: 'embedding', values: [1, 2, 3], id: 'e' }, 'text']);
    expect(encoder.seen).toEqual(['text']);
    expect([...matrix.data.subarray(0, 3)]).toEqual([1, 2, 3]);
    await expect(embedWithCache(encoder, [{ kind: 'embedding', values: [1, 2], id: 'short' }])).rejects.toThrow(DimensionMismatchError);
    await expect(embedWithCache(encoder, [{ kind: 'embedding', values: [1, 2], id: 'short' }])).rejects.toThrow(/embedding 'short'.*expected 3 values.*found 2/);
  });

  it('should refuse an encoder that returns non-finite values, and cache nothing from it', async () => {
    const base = createHashingTextEncoder({ dimension: DIMENSION });
    const broken: EncoderV1 = {
      ...base,
      async doEncode(inputs, options) {
        const result = await base.doEncode(inputs, options);
        result.embeddings.data[3] = Number.NaN;
        return result;
      },
    };
    const cache = createEmbeddingCache(directory);
    await expect(embedWithCache(broken, ['x'], { cache })).rejects.toThrow(/row 0, column 3: expected a finite number, found NaN/);
    const store = await cache.open(base);
    expect(store.size).toBe(0);
    await store.close();
  });

  it('should keep finished batches in the cache when its signal aborts the run', async () => {
    const cache = createEmbeddingCache(directory);
    const controller = new AbortController();
    const encoder = createHashingTextEncoder({ dimension: DIMENSION });
    const run = embedWithCache(encoder, texts, {
      cache,
      batchSize: 10,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.embedded === 20) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    const store = await cache.open(encoder);
    expect(store.size).toBe(20);
    await store.close();
  });

  it('should validate its options', async () => {
    await expect(embedWithCache(createHashingTextEncoder(), ['a'], { batchSize: 0 })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('createEmbeddingCache', () => {
  const entry = (seed: number) => ({
    key: new Uint8Array(32).fill(seed),
    values: Float32Array.from({ length: DIMENSION }, (_, index) => seed + index / 8),
  });
  const encoder = { id: 'test-encoder', dimension: DIMENSION };

  it('should store records that survive a reopen', async () => {
    const cache = createEmbeddingCache(directory);
    const store = await cache.open(encoder);
    await store.append([entry(1), entry(2)]);
    await store.close();
    const reopened = await cache.open(encoder);
    expect(reopened.size).toBe(2);
    expect(reopened.has(entry(2).key)).toBe(true);
    expect(reopened.has(entry(3).key)).toBe(false);
    const [first, missing] = await reopened.read([entry(1).key, entry(3).key]);
    expect([...first!]).toEqual([...entry(1).values]);
    expect(missing).toBeUndefined();
    await reopened.close();
  });

  it('should cut a torn last record, count it, and re-embed exactly that input', async () => {
    const cache = createEmbeddingCache(directory);
    const hashing = createHashingTextEncoder({ dimension: DIMENSION });
    await embedWithCache(hashing, texts.slice(0, 10), { cache });
    const path = join(directory, embeddingCacheFileName(hashing.id));
    const fullSize = (await stat(path)).size;
    await truncate(path, fullSize - Math.floor(RECORD_BYTES / 2));

    const encoder = countingEncoder(hashing);
    const progress: EmbeddingProgress[] = [];
    const matrix = await embedWithCache(encoder, texts.slice(0, 10), { cache, onProgress: (event) => progress.push(event) });
    expect(encoder.seen).toEqual([texts[9]]);
    expect(progress[0]).toMatchObject({ cached: 9, damaged: 1 });
    expect((await stat(path)).size).toBe(fullSize);
    const reference = (await hashing.doEncode(texts.slice(0, 10))).embeddings;
    expect([...matrix.data]).toEqual([...reference.data]);
  });

  it('should never load a record whose bytes changed, and redo it', async () => {
    const cache = createEmbeddingCache(directory);
    const hashing = createHashingTextEncoder({ dimension: DIMENSION });
    await embedWithCache(hashing, texts.slice(0, 5), { cache });
    const path = join(directory, embeddingCacheFileName(hashing.id));
    const bytes = await readFile(path);
    const headerBytes = bytes.length - 5 * RECORD_BYTES;
    // Flip one bit in a value of the third record: its checksum no longer matches.
    bytes[headerBytes + 2 * RECORD_BYTES + 4 + 32 + 4 + 5] ^= 0x01;
    await writeFile(path, bytes);

    const encoder = countingEncoder(hashing);
    const matrix = await embedWithCache(encoder, texts.slice(0, 5), { cache });
    expect(encoder.seen).toEqual([texts[2]]);
    const reference = (await hashing.doEncode(texts.slice(0, 5))).embeddings;
    expect([...matrix.data]).toEqual([...reference.data]);
    const store = await cache.open(hashing);
    expect(store.damagedRecords).toBe(1);
    expect(store.size).toBe(5);
    await store.close();
  });

  it('should refuse a file that belongs to something else', async () => {
    const cache = createEmbeddingCache(directory);
    await writeFile(join(directory, embeddingCacheFileName(encoder.id)), 'not an embedding cache at all');
    await expect(cache.open(encoder)).rejects.toThrow(EmbeddingCacheError);
    await expect(cache.open(encoder)).rejects.toThrow(/expected a PAL embedding-cache file/);
  });

  it('should key images by content, not by id or path', async () => {
    const imageA = join(directory, 'a.bin');
    const imageB = join(directory, 'b.bin');
    await writeFile(imageA, Uint8Array.from([1, 2, 3]));
    await writeFile(imageB, Uint8Array.from([1, 2, 4]));
    const fromPath = await inputContentKey('enc', { kind: 'image', path: imageA, id: 'first' });
    const fromBytes = await inputContentKey('enc', { kind: 'image', bytes: Uint8Array.from([1, 2, 3]), id: 'other-id' });
    const changed = await inputContentKey('enc', { kind: 'image', path: imageB, id: 'first' });
    const otherEncoder = await inputContentKey('enc2', { kind: 'image', path: imageA, id: 'first' });
    expect(fromPath.equals(fromBytes)).toBe(true);
    expect(fromPath.equals(changed)).toBe(false);
    expect(fromPath.equals(otherEncoder)).toBe(false);
    await expect(inputContentKey('enc', { kind: 'image', id: 'nothing' })).rejects.toThrow(/image input 'nothing': expected a path or bytes/);
  });

  it('should resume a run whose process was killed mid-way, embedding only what is missing', async () => {
    const total = 400;
    const batch = 16;
    const child = spawn(process.execPath, [fileURLToPath(new URL('./__fixtures__/embed-child.mjs', import.meta.url)), directory, String(total), String(batch), '15'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let embeddedBeforeKill = 0;
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line === 'finished') break;
      const progress = JSON.parse(line) as EmbeddingProgress;
      if (progress.embedded >= 3 * batch) {
        embeddedBeforeKill = progress.embedded;
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');
    expect(embeddedBeforeKill).toBeGreaterThanOrEqual(3 * batch);

    const hashing = createHashingTextEncoder({ dimension: 32 });
    const encoder = countingEncoder(hashing);
    const inputs = Array.from({ length: total }, (_, index) => `text number ${index}`);
    const progress: EmbeddingProgress[] = [];
    const matrix = await embedWithCache(encoder, inputs, { cache: createEmbeddingCache(directory), batchSize: batch, onProgress: (event) => progress.push(event) });
    const cached = progress[0]!.cached;
    expect(cached).toBeGreaterThanOrEqual(embeddedBeforeKill);
    expect(cached).toBeLessThan(total);
    expect(encoder.seen).toHaveLength(total - cached);
    expect(new Set(encoder.seen).size).toBe(total - cached);
    const reference = (await hashing.doEncode(inputs)).embeddings;
    expect([...matrix.data]).toEqual([...reference.data]);
  });
});

describe('EmbeddingCacheError', () => {
  it('should be recognised by its own isInstance and rejected by its siblings', () => {
    const error = new EmbeddingCacheError('broken');
    expect(EmbeddingCacheError.isInstance(error)).toBe(true);
    expect(PalError.isInstance(error)).toBe(true);
    expect(PluginUnavailableError.isInstance(error)).toBe(false);
    expect(EmbeddingCacheError.isInstance(new PluginUnavailableError('other'))).toBe(false);
  });
});
