import type { EncodableInput } from '../../data/preference-example.js';
import type { EncoderV1 } from '../../spec/encoder/v1/encoder-v1.js';

/** Wraps an encoder and records every input it is asked to embed, so tests can count encoder work. */
export function countingEncoder(base: EncoderV1): EncoderV1 & { seen: EncodableInput[] } {
  const seen: EncodableInput[] = [];
  return {
    ...base,
    seen,
    async doEncode(inputs, options) {
      seen.push(...inputs);
      return base.doEncode(inputs, options);
    },
  };
}
