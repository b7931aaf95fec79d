import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors/errors.js';
import { matrixRow } from '../data/matrix.js';
import { createHashingTextEncoder } from './hashing-text-encoder.js';

function norm(values: Float32Array): number {
  return Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < a.length; index++) dot += a[index]! * b[index]!;
  return dot / (norm(a) * norm(b));
}

function nonZero(values: Float32Array): number[] {
  return [...values].filter((value) => value !== 0).map(Math.abs).sort((a, b) => a - b);
}

describe('createHashingTextEncoder', () => {
  it('should return one unit-norm row of the configured width per input, empty text included', async () => {
    const encoder = createHashingTextEncoder({ dimension: 96 });
    const { embeddings, warnings } = await encoder.doEncode(['The cat sat on the mat.', '', '!!!', 'naïve café 東京']);
    expect(embeddings.rows).toBe(4);
    expect(embeddings.cols).toBe(96);
    expect(encoder.dimension).toBe(96);
    expect(warnings).toEqual([]);
    for (let row = 0; row < 4; row++) expect(norm(matrixRow(embeddings, row))).toBeCloseTo(1, 6);
  });

  it('should count each unigram and bigram once with weight 1 before normalising', async () => {
    // A wide table makes bucket collisions between these three features practically impossible.
    const encoder = createHashingTextEncoder({ dimension: 1 << 20 });
    const { embeddings } = await encoder.doEncode(['alpha beta', 'alpha alpha']);
    // 'alpha beta': features alpha, beta, "alpha beta" -> three entries of 1/sqrt(3).
    expect(nonZero(matrixRow(embeddings, 0)).map((value) => value * Math.sqrt(3))).toEqual([1, 1, 1].map((value) => expect.closeTo(value, 6)));
    // 'alpha alpha': alpha twice (same sign) and "alpha alpha" once -> 2/sqrt(5) and 1/sqrt(5).
    const second = nonZero(matrixRow(embeddings, 1));
    expect(second).toHaveLength(2);
    expect(second[0]).toBeCloseTo(1 / Math.sqrt(5), 6);
    expect(second[1]).toBeCloseTo(2 / Math.sqrt(5), 6);
  });

  it('should use only the n-gram orders it is given', async () => {
    const unigrams = createHashingTextEncoder({ dimension: 1 << 20, ngrams: [1] });
    const trigrams = createHashingTextEncoder({ dimension: 1 << 20, ngrams: [1, 2, 3] });
    const text = 'one two three';
    expect(nonZero(matrixRow((await unigrams.doEncode([text])).embeddings, 0))).toHaveLength(3);
    expect(nonZero(matrixRow((await trigrams.doEncode([text])).embeddings, 0))).toHaveLength(6);
  });

  it('should be deterministic and give the same rows whatever the batch', async () => {
    const texts = ['a short text', 'Another, longer text with punctuation!', 'a short text', 'x'];
    const together = (await createHashingTextEncoder().doEncode(texts)).embeddings;
    for (let row = 0; row < texts.length; row++) {
      const alone = (await createHashingTextEncoder().doEncode([texts[row]!])).embeddings;
      expect([...matrixRow(together, row)]).toEqual([...alone.data]);
    }
    expect([...matrixRow(together, 0)]).toEqual([...matrixRow(together, 2)]);
  });

  it('should ignore case by default and respect it when lowercase is false', async () => {
    const folding = (await createHashingTextEncoder().doEncode(['Hello World', 'hello world'])).embeddings;
    expect([...matrixRow(folding, 0)]).toEqual([...matrixRow(folding, 1)]);
    const exact = (await createHashingTextEncoder({ lowercase: false }).doEncode(['Hello World', 'hello world'])).embeddings;
    expect([...matrixRow(exact, 0)]).not.toEqual([...matrixRow(exact, 1)]);
  });

  it('should make texts that share words more similar than texts that share none', async () => {
    const { embeddings } = await createHashingTextEncoder().doEncode([
      'the summary is short and clear',
      'the summary is long and clear',
      'stock markets fell sharply on monday',
    ]);
    const related = cosine(matrixRow(embeddings, 0), matrixRow(embeddings, 1));
    const unrelated = cosine(matrixRow(embeddings, 0), matrixRow(embeddings, 2));
    expect(related).toBeGreaterThan(0.5);
    expect(Math.abs(unrelated)).toBeLessThan(0.3);
  });

  it('should encode every setting in its id and change the embedding with the seed', async () => {
    const ids = [
      createHashingTextEncoder().id,
      createHashingTextEncoder({ dimension: 256 }).id,
      createHashingTextEncoder({ ngrams: [1] }).id,
      createHashingTextEncoder({ lowercase: false }).id,
      createHashingTextEncoder({ seed: 7 }).id,
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(createHashingTextEncoder({ ngrams: [2, 1, 2] }).id).toBe(createHashingTextEncoder().id);
    const base = (await createHashingTextEncoder().doEncode(['same text'])).embeddings;
    const seeded = (await createHashingTextEncoder({ seed: 7 }).doEncode(['same text'])).embeddings;
    expect([...base.data]).not.toEqual([...seeded.data]);
  });

  it('should reject bad settings and non-text inputs with an InvalidArgumentError naming the field or input', async () => {
    expect(() => createHashingTextEncoder({ dimension: 0 })).toThrow(/dimension/);
    expect(() => createHashingTextEncoder({ ngrams: [] })).toThrow(InvalidArgumentError);
    const encoder = createHashingTextEncoder();
    await expect(encoder.doEncode(['fine', { kind: 'image', path: '/tmp/a.png', id: 'a' }])).rejects.toThrow(/input 1: expected a string, found an input of kind 'image'/);
  });

  it('should stop when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(createHashingTextEncoder().doEncode(['a'], { signal: controller.signal })).rejects.toThrow();
  });
});
