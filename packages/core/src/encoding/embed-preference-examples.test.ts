import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matrixRow } from '../data/matrix.js';
import type { PreferenceExample } from '../data/preference-example.js';
import { InvalidArgumentError, InvalidPreferenceDataError } from '../errors/errors.js';
import type { EncoderV1 } from '../spec/encoder/v1/encoder-v1.js';
import { embedPreferenceExamples } from './embed-preference-examples.js';
import { createHashingTextEncoder } from './hashing-text-encoder.js';
import { countingEncoder } from './__fixtures__/counting-encoder.js';

async function embedOne(encoder: EncoderV1, text: string): Promise<number[]> {
  return [...(await encoder.doEncode([text])).embeddings.data];
}

const example = (overrides: Partial<PreferenceExample> & Pick<PreferenceExample, 'id' | 'userId'>): PreferenceExample => ({
  prompt: 'Which answer is better?',
  left: 'Yes',
  right: 'No',
  preferred: 'left',
  split: 'train',
  ...overrides,
});

const examples: PreferenceExample[] = [
  example({ id: '1', userId: 'carol', group: 'g1', prompt: 'p1', left: 'a', right: 'b', preferred: 'left' }),
  example({ id: '2', userId: 'alice', group: 'g2', prompt: 'p1', left: 'b', right: 'c', preferred: 'right', split: 'test' }),
  example({ id: '3', userId: 'carol', prompt: 'p2', left: 'a', right: 'c', preferred: 'right' }),
  example({ id: '4', userId: 'bob', prompt: 'p2', left: 'c', right: 'a', preferred: 'left', split: 'test' }),
  example({ id: '5', userId: 'dave', prompt: 'p1', left: 'a', right: 'p1', preferred: 'left', split: 'unseen-train' }),
];

describe('embedPreferenceExamples', () => {
  it('should embed each distinct text once and give every split the same first-appearance user list', async () => {
    const encoder = countingEncoder(createHashingTextEncoder({ dimension: 8 }));
    const result = await embedPreferenceExamples(examples, { encoder });
    // p1 is both a prompt and an item: one encoder embeds it once.
    expect(encoder.seen.slice().sort()).toEqual(['a', 'b', 'c', 'p1', 'p2']);
    expect(result.userIds).toEqual(['carol', 'alice', 'bob', 'dave']);
    expect(result.groups).toEqual({ carol: 'g1', alice: 'g2' });
    expect(Object.keys(result.splits)).toEqual(['train', 'test', 'unseen-train']);
    for (const split of Object.values(result.splits)) expect(split!.userIds).toBe(result.userIds);
  });

  it('should point every comparison at the embeddings of its own prompt, items and user, with label 1 for left', async () => {
    const encoder = createHashingTextEncoder({ dimension: 8 });
    const { splits } = await embedPreferenceExamples(examples, { encoder, batchSize: 2 });
    const bySplit = new Map<string, PreferenceExample[]>();
    for (const row of examples) bySplit.set(row.split, [...(bySplit.get(row.split) ?? []), row]);
    for (const [split, rows] of bySplit) {
      const data = splits[split as keyof typeof splits]!;
      expect(data.label.length).toBe(rows.length);
      for (let row = 0; row < rows.length; row++) {
        const source = rows[row]!;
        expect([...matrixRow(data.prompts, data.promptIndex[row]!)]).toEqual(await embedOne(encoder, source.prompt as string));
        expect([...matrixRow(data.items, data.leftIndex[row]!)]).toEqual(await embedOne(encoder, source.left as string));
        expect([...matrixRow(data.items, data.rightIndex[row]!)]).toEqual(await embedOne(encoder, source.right as string));
        expect(data.userIds[data.user[row]!]).toBe(source.userId);
        expect(data.label[row]).toBe(source.preferred === 'left' ? 1 : 0);
      }
    }
    // Each split keeps only the embeddings it uses: the test split uses items a, b, c and prompts p1, p2.
    expect(splits.test!.items.rows).toBe(3);
    expect(splits['unseen-train']!.prompts.rows).toBe(1);
  });

  it('should encode prompt and item together and use no prompt embedding in joint mode', async () => {
    const encoder = countingEncoder(createHashingTextEncoder({ dimension: 8 }));
    const { splits } = await embedPreferenceExamples(examples.slice(0, 1), { encoder, joint: true });
    const train = splits.train!;
    expect(encoder.seen).toEqual(['p1\n\na', 'p1\n\nb']);
    expect(train.prompts.cols).toBe(0);
    expect(train.promptIndex[0]).toBe(0);
    expect([...matrixRow(train.items, train.leftIndex[0]!)]).toEqual(await embedOne(encoder, 'p1\n\na'));
  });

  it('should embed prompts with the prompt encoder when one is given', async () => {
    const encoder = countingEncoder(createHashingTextEncoder({ dimension: 8 }));
    const promptEncoder = countingEncoder(createHashingTextEncoder({ dimension: 4, seed: 1 }));
    const { splits } = await embedPreferenceExamples(examples, { encoder, promptEncoder });
    expect(promptEncoder.seen.slice().sort()).toEqual(['p1', 'p2']);
    expect(encoder.seen.slice().sort()).toEqual(['a', 'b', 'c', 'p1']);
    expect(splits.train!.prompts.cols).toBe(4);
    expect(splits.train!.items.cols).toBe(8);
  });

  it('should pass precomputed embeddings through and embed nothing again on a cached rerun', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pal-embed-examples-'));
    try {
      const rows = [
        example({ id: 'x', userId: 'u', prompt: 'q', left: { kind: 'embedding', values: [1, 0, 0, 0], id: 'e1' }, right: 'text item' }),
      ];
      const first = countingEncoder(createHashingTextEncoder({ dimension: 4 }));
      await embedPreferenceExamples(rows, { encoder: first, cacheDirectory: directory });
      expect(first.seen.slice().sort()).toEqual(['q', 'text item']);
      const second = countingEncoder(createHashingTextEncoder({ dimension: 4 }));
      const stages: string[] = [];
      const { splits } = await embedPreferenceExamples(rows, { encoder: second, cacheDirectory: directory, onProgress: (progress) => stages.push(`${progress.stage}:${progress.cached}`) });
      expect(second.seen).toEqual([]);
      expect(stages.at(-1)).toBe('prompts and items:2');
      expect([...matrixRow(splits.train!.items, splits.train!.leftIndex[0]!)]).toEqual([1, 0, 0, 0]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('should reject malformed rows, conflicting groups and images in joint mode with messages that name the row', async () => {
    const encoder = createHashingTextEncoder({ dimension: 8 });
    const bad = [{ ...examples[0]!, preferred: 'up' }] as unknown as PreferenceExample[];
    await expect(embedPreferenceExamples(bad, { encoder })).rejects.toThrow(InvalidPreferenceDataError);
    await expect(embedPreferenceExamples(bad, { encoder })).rejects.toThrow(/0\.preferred/);
    const conflicting = [examples[0]!, { ...examples[2]!, group: 'g9' }];
    await expect(embedPreferenceExamples(conflicting, { encoder })).rejects.toThrow(/example '3' \(row 1\): user 'carol' is in group 'g1'.*found group 'g9'/);
    const image = [example({ id: 'img', userId: 'u', left: { kind: 'image', path: '/x.png', id: 'x' } })];
    await expect(embedPreferenceExamples(image, { encoder, joint: true })).rejects.toThrow(InvalidArgumentError);
    await expect(embedPreferenceExamples(image, { encoder, joint: true })).rejects.toThrow(/example 'img' \(row 0\).*left item of kind 'image'/);
  });

  it('should return no splits for no examples', async () => {
    const result = await embedPreferenceExamples([], { encoder: createHashingTextEncoder() });
    expect(result).toEqual({ splits: {}, userIds: [], groups: {} });
  });
});
