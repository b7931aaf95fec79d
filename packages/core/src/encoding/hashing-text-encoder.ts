import { z } from 'zod';
import { createMatrix } from '../data/matrix.js';
import type { EncodableInput } from '../data/preference-example.js';
import { InvalidArgumentError } from '../errors/errors.js';
import type { EncodeOptionsV1, EncoderV1 } from '../spec/encoder/v1/encoder-v1.js';
import { parseOptions } from '../util/parse-options.js';

/** Settings of the built-in hashing text encoder. */
export const hashingTextEncoderSettingsSchema = z
  .object({
    /** Width of the embedding (number of hash buckets). */
    dimension: z.number().int().min(2).max(1 << 24).default(512),
    /** Word n-gram orders that become features; [1, 2] = unigrams and bigrams. */
    ngrams: z
      .array(z.number().int().min(1).max(8))
      .min(1)
      .default([1, 2])
      .transform((orders) => [...new Set(orders)].sort((a, b) => a - b)),
    /** Lower-case the text before splitting it into words. */
    lowercase: z.boolean().default(true),
    /** Seed of the hash function; different seeds give unrelated embeddings. */
    seed: z.number().int().min(0).max(0xffffffff).default(0),
  })
  .strict();
/** Settings accepted by `createHashingTextEncoder`. */
export type HashingTextEncoderSettings = z.input<typeof hashingTextEncoderSettingsSchema>;

/** Version of the tokenisation and hashing scheme; part of the encoder id so caches never mix schemes. */
const HASHING_SCHEME_VERSION = 1;
/** Feature used for a text without any word, so that every embedding has unit norm. */
const EMPTY_TEXT_FEATURE = '\u0000empty';
/** Words: runs of letters, marks and digits, with inner apostrophes ("don't" is one word). */
const WORD_PATTERN = /[\p{L}\p{M}\p{N}]+(?:['\u2019][\p{L}\p{M}\p{N}]+)*/gu;
const PROGRESS_CHUNK = 256;

/**
 * A text encoder that needs no model weights: signed feature hashing of word n-grams (unigrams and
 * bigrams by default), L2-normalised. It is the default encoder because it works everywhere, offline,
 * deterministically; a learned foundation-model encoder (e.g. `@pal/encoder-onnx`) embeds meaning far better.
 */
export function createHashingTextEncoder(settings: HashingTextEncoderSettings = {}): EncoderV1 {
  const { dimension, ngrams, lowercase, seed } = parseOptions(hashingTextEncoderSettingsSchema, settings, 'hashing text encoder settings');
  const id = `hashing-text:v${HASHING_SCHEME_VERSION}:dim=${dimension}:ngrams=${ngrams.join(',')}:lowercase=${lowercase}:seed=${seed}`;

  const embedText = (text: string, target: Float32Array): void => {
    const normalized = lowercase ? text.normalize('NFKC').toLowerCase() : text.normalize('NFKC');
    const words = normalized.match(WORD_PATTERN) ?? [];
    const counts = new Float64Array(dimension);
    let features = 0;
    for (const order of ngrams) {
      for (let start = 0; start + order <= words.length; start++) {
        const gram = order === 1 ? words[start]! : words.slice(start, start + order).join(' ');
        addFeature(counts, gram, seed);
        features++;
      }
    }
    if (features === 0) addFeature(counts, EMPTY_TEXT_FEATURE, seed);
    let squaredNorm = 0;
    for (let index = 0; index < dimension; index++) squaredNorm += counts[index]! * counts[index]!;
    // All-cancelling signs are possible (e.g. two features of opposite sign in one bucket): keep zeros then.
    const scale = squaredNorm > 0 ? 1 / Math.sqrt(squaredNorm) : 0;
    for (let index = 0; index < dimension; index++) target[index] = counts[index]! * scale;
  };

  return {
    specificationVersion: 'v1',
    name: 'hashing-text',
    id,
    modality: 'text',
    dimension,
    async doEncode(inputs: EncodableInput[], options: EncodeOptionsV1 = {}) {
      const embeddings = createMatrix(inputs.length, dimension);
      for (let row = 0; row < inputs.length; row++) {
        if (row % PROGRESS_CHUNK === 0) {
          options.signal?.throwIfAborted();
          if (row > 0) options.onProgress?.({ done: row, total: inputs.length });
        }
        const input = inputs[row];
        if (typeof input !== 'string') {
          const kind = typeof input === 'object' && input !== null && 'kind' in input ? `an input of kind '${input.kind}'` : typeof input;
          throw new InvalidArgumentError(`hashing text encoder input ${row}: expected a string, found ${kind}`, { source: 'encoding' });
        }
        embedText(input, embeddings.data.subarray(row * dimension, (row + 1) * dimension));
      }
      options.onProgress?.({ done: inputs.length, total: inputs.length });
      return { embeddings, warnings: [] };
    },
  };
}

/** Adds +1 or -1 (chosen by the hash) to the feature's bucket. */
function addFeature(counts: Float64Array, feature: string, seed: number): void {
  const hash = hashString(feature, seed);
  const bucket = hash % counts.length;
  const sign = (mix32(hash ^ 0x9e3779b9) & 1) === 0 ? 1 : -1;
  counts[bucket]! += sign;
}

/** FNV-1a over the UTF-16 code units, seeded, then MurmurHash3's finaliser for avalanche; unsigned 32 bits. */
function hashString(text: string, seed = 0): number {
  let hash = (0x811c9dc5 ^ mix32(seed)) >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return mix32(hash);
}

/** MurmurHash3's 32-bit finaliser. */
function mix32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
