import type { EncodableInput } from '../../../data/preference-example.js';
import type { Matrix } from '../../../data/matrix.js';

/** Progress of a long encoding run. */
export interface EncodeProgress {
  done: number;
  total: number;
}

/** Options of one `doEncode` call. */
export interface EncodeOptionsV1 {
  signal?: AbortSignal;
  onProgress?: (progress: EncodeProgress) => void;
}

/**
 * Turns text or images into fixed-width embeddings with a frozen model (PAL's "Tiny" setting).
 * `id` identifies the encoder and its settings exactly; embedding caches are keyed by it.
 */
export interface EncoderV1 {
  readonly specificationVersion: 'v1';
  readonly name: string;
  /** Stable identity of model + settings, e.g. `hashing-text:dim=512:ngrams=1,2`. */
  readonly id: string;
  readonly modality: 'text' | 'image';
  readonly dimension: number;
  /** Embeds `inputs` in order: row j of the result is input j. */
  doEncode(inputs: EncodableInput[], options?: EncodeOptionsV1): Promise<{ embeddings: Matrix; warnings: string[] }>;
}
