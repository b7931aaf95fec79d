import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Random } from '@pal/core';
import { OnnxDataType, OnnxModelWriter } from './onnx-model-writer.js';

/** Sizes of the tiny BERT-like test model. */
export interface TinyTextModelOptions {
  hidden?: number;
  maxPositions?: number;
  seed?: number;
}

const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
const WORDS = [
  'the', 'a', 'an', 'is', 'are', 'was', 'and', 'or', 'not', 'of', 'to', 'in', 'on', 'it', 'this', 'that',
  'yes', 'no', 'i', 'you', 'we', 'they', 'good', 'bad', 'short', 'long', 'summary', 'post', 'answer',
  'question', 'cat', 'dog', 'mat', 'sat', 'ran', 'blue', 'red', 'image', 'text', 'user', 'prefer', 'better',
];
const PUNCTUATION = ['.', ',', '!', '?', "'", '"', ':', ';', '-', '(', ')'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

/** The WordPiece vocabulary of the test tokenizer: specials, whole words, characters and ## continuations. */
export function tinyVocabulary(): string[] {
  return [...SPECIAL_TOKENS, ...WORDS, ...PUNCTUATION, ...LETTERS, ...LETTERS.map((letter) => `##${letter}`)];
}

/** A real Hugging Face tokenizer.json for a lower-casing BERT WordPiece tokenizer over `tinyVocabulary()`. */
export function tinyTokenizerJson(): object {
  const vocabulary = tinyVocabulary();
  const id = (token: string) => vocabulary.indexOf(token);
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({ id: id(content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocabulary.map((token, index) => [token, index])),
    },
  };
}

function randomFloats(random: Random, count: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, () => random.normal() * scale);
}

/**
 * Writes a tiny BERT-like model folder (tokenizer.json, tokenizer_config.json, config.json, onnx/model.onnx)
 * with random weights: token + position + segment embeddings, LayerNorm, one masked single-head
 * self-attention block and a tanh feed-forward block, output `last_hidden_state`. Padding is masked
 * in attention as in BERT, so pooled results do not depend on how a batch is padded.
 */
export async function writeTinyTextModel(directory: string, options: TinyTextModelOptions = {}): Promise<string> {
  const hidden = options.hidden ?? 16;
  const maxPositions = options.maxPositions ?? 64;
  const random = new Random(options.seed ?? 1);
  const vocabularySize = tinyVocabulary().length;
  const model = new OnnxModelWriter(17);
  const inputIds = model.input('input_ids', OnnxDataType.int64, ['batch', 'sequence']);
  const attentionMask = model.input('attention_mask', OnnxDataType.int64, ['batch', 'sequence']);
  const tokenTypeIds = model.input('token_type_ids', OnnxDataType.int64, ['batch', 'sequence']);
  const weight = (name: string, dims: number[], scale = 0.5) => model.constant(name, randomFloats(random, dims.reduce((a, b) => a * b, 1), scale), dims);
  const int64 = (name: string, values: number[], dims: number[]) => model.constant(name, BigInt64Array.from(values.map(BigInt)), dims);
  const scalar = (name: string, value: number) => model.constant(name, Float32Array.of(value), []);

  const words = model.node('Gather', [weight('word_embeddings', [vocabularySize, hidden]), inputIds], { axis: { int: 0 } });
  const shape = model.node('Shape', [inputIds]);
  const length = model.node('Gather', [shape, int64('one_index', [1], [])], { axis: { int: 0 } });
  const positions = model.node('Range', [int64('zero', [0], []), length, int64('step', [1], [])]);
  const positionVectors = model.node('Gather', [weight('position_embeddings', [maxPositions, hidden]), positions], { axis: { int: 0 } });
  const segments = model.node('Gather', [weight('token_type_embeddings', [2, hidden]), tokenTypeIds], { axis: { int: 0 } });
  const summed = model.node('Add', [model.node('Add', [words, positionVectors]), segments]);
  const ones = Float32Array.from({ length: hidden }, () => 1);
  const x0 = model.node('LayerNormalization', [summed, model.constant('ln_gamma', ones, [hidden]), model.constant('ln_beta', new Float32Array(hidden), [hidden])], {
    axis: { int: -1 },
    epsilon: { float: 1e-5 },
  });

  const query = model.node('MatMul', [x0, weight('w_query', [hidden, hidden])]);
  const key = model.node('MatMul', [x0, weight('w_key', [hidden, hidden])]);
  const value = model.node('MatMul', [x0, weight('w_value', [hidden, hidden])]);
  const scores = model.node('Mul', [model.node('MatMul', [query, model.node('Transpose', [key], { perm: { ints: [0, 2, 1] } })]), scalar('score_scale', 1 / Math.sqrt(hidden))]);
  const maskFloat = model.node('Cast', [attentionMask], { to: { int: OnnxDataType.float } });
  const maskBias = model.node('Mul', [model.node('Sub', [scalar('one', 1), maskFloat]), scalar('masked_score', -10000)]);
  const maskBias3 = model.node('Unsqueeze', [maskBias, int64('unsqueeze_axes', [1], [1])]);
  const probabilities = model.node('Softmax', [model.node('Add', [scores, maskBias3])], { axis: { int: -1 } });
  const x1 = model.node('Add', [x0, model.node('MatMul', [probabilities, value])]);

  const inner = model.node('Tanh', [model.node('Add', [model.node('MatMul', [x1, weight('w_ff1', [hidden, 2 * hidden])]), weight('b_ff1', [2 * hidden])])]);
  const feedForward = model.node('Add', [model.node('MatMul', [inner, weight('w_ff2', [2 * hidden, hidden])]), weight('b_ff2', [hidden])]);
  model.node('Add', [x1, feedForward], {}, 'last_hidden_state');
  model.output('last_hidden_state', OnnxDataType.float, ['batch', 'sequence', hidden]);

  await mkdir(join(directory, 'onnx'), { recursive: true });
  await writeFile(join(directory, 'onnx', 'model.onnx'), model.toBytes());
  await writeFile(join(directory, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson()));
  await writeFile(
    join(directory, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: maxPositions,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
      mask_token: '[MASK]',
    }),
  );
  await writeFile(
    join(directory, 'config.json'),
    JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: hidden, max_position_embeddings: maxPositions, vocab_size: vocabularySize }),
  );
  return directory;
}
