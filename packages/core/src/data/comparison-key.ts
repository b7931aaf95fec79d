import type { EncodableInput, PreferenceExample } from './preference-example.js';

/** A string that identifies an encodable input by content (text) or by its declared id (image, embedding). */
export function inputKey(input: EncodableInput): string {
  return typeof input === 'string' ? `text:${input}` : `${input.kind}:${input.id}`;
}

/**
 * The identity of a comparison regardless of which side each item is shown on: the same user asked about
 * the same prompt and the same two inputs is one comparison, whatever its id or split. Adapters use it to
 * keep splits disjoint by pair.
 */
export function comparisonKey(example: Pick<PreferenceExample, 'userId' | 'prompt' | 'left' | 'right'>): string {
  const items = [inputKey(example.left), inputKey(example.right)].sort();
  return JSON.stringify([example.userId, inputKey(example.prompt), items[0], items[1]]);
}
