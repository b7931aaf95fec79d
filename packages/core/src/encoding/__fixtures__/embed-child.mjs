// Child process of the "resume after kill" test: embeds numbered texts through the built @pal/core with
// a cache, slowly, printing each progress event as a JSON line until the parent kills it.
import { createEmbeddingCache, createHashingTextEncoder, embedWithCache } from '@pal/core';

const [directory, countText, batchText, delayText] = process.argv.slice(2);
const base = createHashingTextEncoder({ dimension: 32 });
const slow = {
  ...base,
  async doEncode(inputs, options) {
    await new Promise((resolve) => setTimeout(resolve, Number(delayText)));
    return base.doEncode(inputs, options);
  },
};
const texts = Array.from({ length: Number(countText) }, (_, index) => `text number ${index}`);
await embedWithCache(slow, texts, {
  cache: createEmbeddingCache(directory),
  batchSize: Number(batchText),
  onProgress: (progress) => process.stdout.write(`${JSON.stringify(progress)}\n`),
});
process.stdout.write('finished\n');
