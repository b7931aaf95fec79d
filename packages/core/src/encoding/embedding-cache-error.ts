import { PalError } from '../errors/pal-error.js';

/** An embedding-cache file belongs to another encoder or cannot be read or written. */
export class EmbeddingCacheError extends PalError {
  static override readonly errorName = 'EmbeddingCacheError';
}
