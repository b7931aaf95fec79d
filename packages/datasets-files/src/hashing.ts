import { createHash } from 'node:crypto';

/** A content id for an embedding vector, so equal vectors share one id (and one cache entry). */
export function embeddingId(values: readonly number[]): string {
  const bytes = new Float64Array(values);
  return `embedding:${createHash('sha256').update(new Uint8Array(bytes.buffer)).digest('hex').slice(0, 32)}`;
}
