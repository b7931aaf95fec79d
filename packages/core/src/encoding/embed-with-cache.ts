import { z } from 'zod';
import { createMatrix, type Matrix } from '../data/matrix.js';
import type { EncodableInput } from '../data/preference-example.js';
import { DimensionMismatchError, InvalidPreferenceDataError } from '../errors/errors.js';
import type { EncodeProgress, EncoderV1 } from '../spec/encoder/v1/encoder-v1.js';
import { parseOptions } from '../util/parse-options.js';
import type { EmbeddingCache, EmbeddingCacheStore } from './embedding-cache.js';
import { inputContentKey, textContentKey } from './input-content-key.js';

/** Progress of `embedWithCache`, counted in distinct inputs (repeated inputs are embedded once). */
export interface EmbeddingProgress extends EncodeProgress {
  /** Distinct inputs found in the cache. */
  cached: number;
  /** Distinct inputs embedded by the encoder so far in this call. */
  embedded: number;
  /** Damaged records the cache found and will redo (torn tail after a crash, bad checksums). */
  damaged: number;
}

export const embedWithCacheOptionsSchema = z
  .object({
    cache: z.custom<EmbeddingCache>((value) => typeof value === 'object' && value !== null && 'open' in value, 'expected an EmbeddingCache').optional(),
    /** Inputs per encoder call; also how many records each cache append holds. */
    batchSize: z.number().int().positive().default(64),
    onProgress: z.custom<(progress: EmbeddingProgress) => void>((value) => typeof value === 'function', 'expected a function').optional(),
    /** Receives each distinct warning an encoder returns, once. */
    onWarning: z.custom<(warning: string) => void>((value) => typeof value === 'function', 'expected a function').optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal, 'expected an AbortSignal').optional(),
  })
  .strict();
/** Options of `embedWithCache`. */
export type EmbedWithCacheOptions = z.input<typeof embedWithCacheOptionsSchema>;

interface DistinctInput {
  input: Exclude<EncodableInput, { kind: 'embedding' }>;
  key: Buffer;
  rows: number[];
}

/**
 * Embeds `inputs` (row j of the result is input j) and embeds nothing twice: repeated inputs are
 * encoded once, inputs already in `cache` are read from it, and each finished batch is appended to the
 * cache before the next starts, so an interrupted run resumes where it stopped. Inputs of kind
 * `embedding` bypass the encoder and the cache.
 */
export async function embedWithCache(encoder: EncoderV1, inputs: readonly EncodableInput[], options: EmbedWithCacheOptions = {}): Promise<Matrix> {
  const { cache, batchSize, onProgress, onWarning, signal } = parseOptions(embedWithCacheOptionsSchema, options, 'embedWithCache options');
  const dimension = encoder.dimension;
  const result = createMatrix(inputs.length, dimension);
  const distinct = new Map<string, DistinctInput>();
  for (let row = 0; row < inputs.length; row++) {
    const input = inputs[row]!;
    if (typeof input === 'object' && input.kind === 'embedding') {
      copyProvidedEmbedding(input, row, dimension, result);
      continue;
    }
    const key = typeof input === 'string' ? textContentKey(encoder.id, input) : await inputContentKey(encoder.id, input);
    const hex = key.toString('hex');
    const entry = distinct.get(hex);
    if (entry) entry.rows.push(row);
    else distinct.set(hex, { input, key, rows: [row] });
  }
  const entries = [...distinct.values()];
  const place = (entry: DistinctInput, values: ArrayLike<number>) => {
    for (const row of entry.rows) result.data.set(values, row * dimension);
  };

  let store: EmbeddingCacheStore | undefined;
  try {
    let pending = entries;
    let cached = 0;
    let damaged = 0;
    if (cache) {
      store = await cache.open({ id: encoder.id, dimension });
      damaged = store.damagedRecords;
      const found = await store.read(entries.map((entry) => entry.key));
      pending = [];
      entries.forEach((entry, position) => {
        const values = found[position];
        if (values) {
          place(entry, values);
          cached++;
        } else {
          pending.push(entry);
        }
      });
    }
    let embedded = 0;
    const report = () => onProgress?.({ done: cached + embedded, total: entries.length, cached, embedded, damaged });
    report();
    const warnings = new Set<string>();
    for (let start = 0; start < pending.length; start += batchSize) {
      signal?.throwIfAborted();
      const batch = pending.slice(start, start + batchSize);
      const { embeddings, warnings: batchWarnings } = await encoder.doEncode(
        batch.map((entry) => entry.input),
        signal ? { signal } : {},
      );
      checkEncoderOutput(encoder, embeddings, batch.length, dimension);
      for (const warning of batchWarnings) {
        if (!warnings.has(warning)) {
          warnings.add(warning);
          onWarning?.(warning);
        }
      }
      const rows = batch.map((entry, position) => ({ key: entry.key, values: embeddings.data.slice(position * dimension, (position + 1) * dimension) }));
      rows.forEach((row, position) => place(batch[position]!, row.values));
      if (store) await store.append(rows);
      embedded += batch.length;
      report();
    }
  } finally {
    await store?.close();
  }
  return result;
}

function copyProvidedEmbedding(input: { values: number[]; id: string }, row: number, dimension: number, result: Matrix): void {
  if (input.values.length !== dimension) {
    throw new DimensionMismatchError(`input ${row} (embedding '${input.id}'): expected ${dimension} values (the encoder's dimension), found ${input.values.length}`, {
      source: 'encoding',
    });
  }
  for (let column = 0; column < dimension; column++) {
    const value = input.values[column]!;
    if (!Number.isFinite(value)) {
      throw new InvalidPreferenceDataError(`input ${row} (embedding '${input.id}') column ${column}: expected a finite number, found ${value}`, { source: 'encoding' });
    }
  }
  result.data.set(input.values, row * dimension);
}

/** Refuses malformed or non-finite encoder output before it can reach the cache. */
function checkEncoderOutput(encoder: EncoderV1, embeddings: Matrix, rows: number, dimension: number): void {
  if (embeddings.rows !== rows || embeddings.cols !== dimension || embeddings.data.length !== rows * dimension) {
    throw new DimensionMismatchError(
      `encoder '${encoder.id}' returned ${embeddings.rows} x ${embeddings.cols} embeddings, expected ${rows} x ${dimension}`,
      { source: 'encoding' },
    );
  }
  for (let index = 0; index < embeddings.data.length; index++) {
    if (!Number.isFinite(embeddings.data[index]!)) {
      const row = Math.floor(index / dimension);
      throw new InvalidPreferenceDataError(
        `encoder '${encoder.id}' batch row ${row}, column ${index - row * dimension}: expected a finite number, found ${embeddings.data[index]}`,
        { source: 'encoding' },
      );
    }
  }
}
