import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddingCache, embedPreferenceExamples, embedWithCache, type EncodableInput, type EncoderV1, InvalidArgumentError, matrixRow } from '@pal/core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from './testing/expect-close.js';
import { createOnnxTextEncoder, type OnnxTextEncoder } from './onnx-text-encoder.js';
import { tinyVocabulary, writeTinyTextModel } from './testing/tiny-text-model.js';

const HIDDEN = 16;
let root: string;
let modelDirectory: string;
const opened: OnnxTextEncoder[] = [];

async function open(settings: Omit<Parameters<typeof createOnnxTextEncoder>[0], 'model'> = {}): Promise<OnnxTextEncoder> {
  const encoder = await createOnnxTextEncoder({ model: modelDirectory, ...settings });
  opened.push(encoder);
  return encoder;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'pal-onnx-text-'));
  modelDirectory = await writeTinyTextModel(join(root, 'tiny-bert'), { hidden: HIDDEN, maxPositions: 64 });
});
afterAll(async () => {
  for (const encoder of opened) await encoder.close();
  await rm(root, { recursive: true, force: true });
});

const texts = [
  'The cat sat on the mat.',
  'no',
  'Is this a better summary of the post, or a worse one?',
  'zebra crossing',
  'yes',
  'I prefer the short answer!',
  '',
];

describe('createOnnxTextEncoder', () => {
  it('should embed texts into unit-norm rows of the model width, with an id that names every setting', async () => {
    const encoder = await open();
    const { embeddings, warnings } = await encoder.doEncode(texts);
    expect(warnings).toEqual([]);
    expect([embeddings.rows, embeddings.cols]).toEqual([texts.length, HIDDEN]);
    expect(encoder.dimension).toBe(HIDDEN);
    for (let row = 0; row < texts.length; row++) {
      const norm = Math.hypot(...matrixRow(embeddings, row));
      expect(norm).toBeCloseTo(1, 5);
    }
    expect(encoder.id).toMatch(/^onnx-text:v1:sha256:[0-9a-f]{32}:file=onnx\/model\.onnx:output=last_hidden_state:pooling=mean:normalize=true:maxLength=64:truncation=right$/);
  });

  it('should pool exactly like a manual computation over the model output, for mean, cls and last', async () => {
    const vocabulary = tinyVocabulary();
    const text = 'The cat sat, zebra.';
    // The real tokenizer.json: lower-cased, punctuation split, unknown words split into WordPiece characters.
    const tokens = ['[CLS]', 'the', 'cat', 'sat', ',', 'z', '##e', '##b', '##r', '##a', '.', '[SEP]'];
    const ids = tokens.map((token) => vocabulary.indexOf(token));
    const session = await ort.InferenceSession.create(join(modelDirectory, 'onnx', 'model.onnx'));
    const length = ids.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(length).fill(1n), [1, length]),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(length), [1, length]),
    };
    const states = (await session.run(feeds)).last_hidden_state!.data as Float32Array;
    await session.release();
    const row = (position: number) => states.subarray(position * HIDDEN, (position + 1) * HIDDEN);
    const mean = Array.from({ length: HIDDEN }, (_, column) => {
      let sum = 0;
      for (let position = 0; position < length; position++) sum += row(position)[column]!;
      return sum / length;
    });
    const expected = { mean, cls: [...row(0)], last: [...row(length - 1)] };
    for (const pooling of ['mean', 'cls', 'last'] as const) {
      const encoder = await open({ pooling, normalize: false });
      // Batched with other texts of other lengths, so the row is padded: padding must not change it.
      const { embeddings } = await encoder.doEncode(['a much longer text that forces padding on the short one here', text]);
      expectClose(matrixRow(embeddings, 1), expected[pooling], 1e-5);
    }
  });

  it('should give the same embeddings whatever the batch size, and the same on every run', async () => {
    const single = (await (await open({ batchSize: 1 })).doEncode(texts)).embeddings;
    const three = (await (await open({ batchSize: 3 })).doEncode(texts)).embeddings;
    const all = (await (await open({ batchSize: 32 })).doEncode(texts)).embeddings;
    expectClose(three.data, single.data, 1e-5);
    expectClose(all.data, single.data, 1e-5);
    const again = (await (await open({ batchSize: 32 })).doEncode(texts)).embeddings;
    expect([...again.data]).toEqual([...all.data]);
  });

  it('should truncate long texts to maxLength keeping the special tokens, from the side asked for', async () => {
    const long = 'the cat sat on the mat and the dog ran';
    const right = await open({ maxLength: 6 });
    const left = await open({ maxLength: 6, truncationSide: 'left' });
    const full = await open();
    // 6 tokens = [CLS] + 4 words + [SEP].
    expectClose((await right.doEncode([long])).embeddings.data, (await full.doEncode(['the cat sat on'])).embeddings.data, 1e-5);
    expectClose((await left.doEncode([long])).embeddings.data, (await full.doEncode(['and the dog ran'])).embeddings.data, 1e-5);
    expect(right.maxLength).toBe(6);
  });

  it("should clamp maxLength to the model's limit and say so in its warnings", async () => {
    const encoder = await open({ maxLength: 1000 });
    expect(encoder.maxLength).toBe(64);
    const { warnings, embeddings } = await encoder.doEncode([Array.from({ length: 200 }, () => 'cat').join(' ')]);
    expect(warnings).toEqual(["maxLength 1000 exceeds the model's limit of 64 tokens; using 64"]);
    expect(embeddings.rows).toBe(1);
  });

  it('should encode prompt and item jointly for PAL-A, keeping the item when the prompt is long', async () => {
    const longPrompt = Array.from({ length: 40 }, () => 'post').join(' ');
    const rows = [
      { id: '1', userId: 'u', prompt: longPrompt, left: 'a short summary', right: 'a long summary', preferred: 'left' as const, split: 'train' as const },
    ];
    const keepEnd = await open({ maxLength: 16, truncationSide: 'left' });
    const joint = await embedPreferenceExamples(rows, { encoder: keepEnd, joint: true });
    const train = joint.splits.train!;
    expect(train.prompts.cols).toBe(0);
    expect(train.items.rows).toBe(2);
    const expectedLeft = (await keepEnd.doEncode([`${longPrompt}\n\na short summary`])).embeddings;
    expectClose(matrixRow(train.items, train.leftIndex[0]!), expectedLeft.data, 1e-6);
    expect([...matrixRow(train.items, train.leftIndex[0]!)]).not.toEqual([...matrixRow(train.items, train.rightIndex[0]!)]);
    // Cutting the end instead would drop both items and leave two identical embeddings.
    const keepStart = await open({ maxLength: 16 });
    const cut = (await keepStart.doEncode([`${longPrompt}\n\na short summary`, `${longPrompt}\n\na long summary`])).embeddings;
    expect([...matrixRow(cut, 0)]).toEqual([...matrixRow(cut, 1)]);
  });

  it('should serve a rerun from the embedding cache without calling the model', async () => {
    const encoder = await open();
    let calls = 0;
    const counting: EncoderV1 = {
      ...encoder,
      async doEncode(inputs: EncodableInput[], options) {
        calls += inputs.length;
        return encoder.doEncode(inputs, options);
      },
    };
    const cache = createEmbeddingCache(join(root, 'cache'));
    const first = await embedWithCache(counting, texts, { cache, batchSize: 4 });
    expect(calls).toBe(texts.length);
    const second = await embedWithCache(counting, texts, { cache, batchSize: 4 });
    expect(calls).toBe(texts.length);
    expect([...second.data]).toEqual([...first.data]);
  });

  it('should refuse non-text inputs and bad settings', async () => {
    const encoder = await open();
    await expect(encoder.doEncode([{ kind: 'image', path: '/x.png', id: 'x' }])).rejects.toThrow(InvalidArgumentError);
    await expect(createOnnxTextEncoder({ model: modelDirectory, pooling: 'max' as 'mean' })).rejects.toThrow(/pooling/);
    await expect(createOnnxTextEncoder({ model: modelDirectory, outputName: 'nope' })).rejects.toThrow(/outputName: expected one of last_hidden_state, found 'nope'/);
  });
});
