import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { EncodableInput } from '../data/preference-example.js';
import { InvalidArgumentError } from '../errors/errors.js';

/**
 * The 32-byte cache key of an input under one encoder: SHA-256 over the encoder id and the input's
 * content. Images are keyed by the SHA-256 of their bytes (read from `path` when no bytes are given),
 * never by their id or file name, so a renamed file still hits and an edited one misses.
 */
export async function inputContentKey(encoderId: string, input: Exclude<EncodableInput, { kind: 'embedding' }>): Promise<Buffer> {
  if (typeof input === 'string') return textContentKey(encoderId, input);
  const hash = createHash('sha256').update(encoderId, 'utf8').update('\u0000');
  const bytes = input.bytes ?? (input.path !== undefined ? await readImageFile(input.path, input.id) : undefined);
  if (bytes === undefined) {
    throw new InvalidArgumentError(`image input '${input.id}': expected a path or bytes, found neither`, { source: 'encoding' });
  }
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  return hash.update('image\u0000').update(contentHash).digest();
}

/** The cache key of a text, computed synchronously (the common case, with no file to read). */
export function textContentKey(encoderId: string, text: string): Buffer {
  return createHash('sha256').update(encoderId, 'utf8').update('\u0000').update('text\u0000').update(text, 'utf8').digest();
}

async function readImageFile(path: string, id: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InvalidArgumentError(`image input '${id}': cannot read the file ${path}`, { source: 'encoding', cause: error });
  }
}
