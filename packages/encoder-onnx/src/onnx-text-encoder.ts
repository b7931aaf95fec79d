import { readFile } from 'node:fs/promises';
import { createMatrix, type EncodableInput, type EncodeOptionsV1, type EncoderV1, InvalidArgumentError, parseOptions, PluginUnavailableError } from '@pal/core';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { chooseOutput, createOnnxSession, declaredWidth, type OnnxRuntime } from './onnx-session.js';
import { normalizeRows, poolTokenStates } from './pooling.js';
import { modelSourceSettingsSchema, resolveModel, type ModelFileRequirement } from './resolve-model.js';
import { loadTextTokenizer, type TextTokenizer } from './text-tokenizer.js';

/** Settings of `createOnnxTextEncoder`. */
export const onnxTextEncoderSettingsSchema = modelSourceSettingsSchema
  .extend({
    /** How token vectors become one vector: 'mean' (sentence-transformers), 'cls' (BERT / BGE), 'last' (decoder models). */
    pooling: z.enum(['mean', 'cls', 'last']).default('mean'),
    /** Scale every embedding to unit L2 norm. */
    normalize: z.boolean().default(true),
    /** Longest token sequence, special tokens included; defaults to the model's limit, at most 512. */
    maxLength: z.number().int().min(2).optional(),
    /**
     * Which end of a too-long text is cut. 'left' keeps the end, which is what joint prompt + response
     * texts want: the response comes last.
     */
    truncationSide: z.enum(['right', 'left']).default('right'),
    /** Texts per ONNX Runtime call. */
    batchSize: z.number().int().positive().default(32),
    /** ONNX file inside the model folder; defaults to onnx/model.onnx, then model.onnx. */
    modelFile: z.string().min(1).optional(),
    /** Output holding the token states; defaults to last_hidden_state, then token_embeddings, then the first output. */
    outputName: z.string().min(1).optional(),
    /** ONNX Runtime intra-op threads; defaults to one per core. */
    threads: z.number().int().positive().optional(),
  })
  .strict();
/** Settings accepted by `createOnnxTextEncoder`. */
export type OnnxTextEncoderSettings = z.input<typeof onnxTextEncoderSettingsSchema>;

/** A text encoder running a Hugging Face style ONNX model; `close` frees the ONNX Runtime session. */
export interface OnnxTextEncoder extends EncoderV1 {
  readonly modality: 'text';
  /** Folder the model files were loaded from (a Hub snapshot folder for repo ids). */
  readonly modelDirectory: string;
  /** Token limit in force, special tokens included. */
  readonly maxLength: number;
  close(): Promise<void>;
}

const DEFAULT_MAX_LENGTH = 512;
const KNOWN_INPUTS = new Set(['input_ids', 'attention_mask', 'token_type_ids', 'position_ids']);

/** Files a text model folder needs. */
export function textModelFiles(modelFile?: string): ModelFileRequirement[] {
  const onnx = modelFile !== undefined ? [modelFile] : ['onnx/model.onnx', 'model.onnx'];
  return [
    { name: 'tokenizer', candidates: ['tokenizer.json'], required: true },
    { name: 'tokenizerConfig', candidates: ['tokenizer_config.json'], required: false },
    { name: 'config', candidates: ['config.json'], required: false },
    { name: 'onnx', candidates: onnx, required: true },
    { name: 'onnxData', candidates: onnx.map((path) => `${path}_data`), required: false },
  ];
}

/**
 * Loads a text encoder from a model folder (tokenizer.json, config.json, onnx/model.onnx: the layout
 * of transformers.js / optimum exports) or a Hugging Face repo id. Tokenisation runs through
 * @huggingface/transformers, inference on onnxruntime-node; texts are batched, truncated to
 * `maxLength`, pooled and optionally L2-normalised.
 */
export async function createOnnxTextEncoder(settings: OnnxTextEncoderSettings): Promise<OnnxTextEncoder> {
  const options = parseOptions(onnxTextEncoderSettingsSchema, settings, 'ONNX text encoder settings');
  const { model, revision, cacheDirectory, fetch, accessToken, hubUrl } = options;
  const resolved = await resolveModel({ model, revision, cacheDirectory, fetch, accessToken, hubUrl, files: textModelFiles(options.modelFile) });
  const tokenizer = await loadTextTokenizer(resolved.files['tokenizer']!, resolved.files['tokenizerConfig']);
  const modelConfig = resolved.files['config'] !== undefined ? await readModelConfig(resolved.files['config']) : {};
  const { ort, session } = await createOnnxSession(resolved.files['onnx']!, options.threads);

  const unknownInputs = session.inputNames.filter((name) => !KNOWN_INPUTS.has(name));
  if (unknownInputs.length > 0 || !session.inputNames.includes('input_ids')) {
    await session.release();
    throw new PluginUnavailableError(
      `${resolved.files['onnx']}: expected inputs among ${[...KNOWN_INPUTS].join(', ')} (input_ids required), found ${session.inputNames.join(', ')}; ` +
        'export the model without past key values or extra inputs',
      { source: 'encoder-onnx' },
    );
  }
  const outputName = await chooseOutput(session, options.outputName, ['last_hidden_state', 'token_embeddings']);

  const modelLimit = Math.min(tokenizer.modelMaxLength ?? Infinity, positiveNumber(modelConfig['max_position_embeddings']) ?? Infinity);
  const warnings: string[] = [];
  let maxLength = options.maxLength ?? Math.min(modelLimit, DEFAULT_MAX_LENGTH);
  if (maxLength > modelLimit) {
    warnings.push(`maxLength ${maxLength} exceeds the model's limit of ${modelLimit} tokens; using ${modelLimit}`);
    maxLength = modelLimit;
  }

  const runner = new TextBatchRunner(ort, session, tokenizer, outputName, options.pooling, options.normalize, maxLength, options.truncationSide);
  const dimension = declaredWidth(session, outputName) ?? (await runner.run(['dimension probe'])).width;
  const id = [
    'onnx-text:v1',
    resolved.fingerprint,
    `file=${resolved.relativeFiles['onnx']}`,
    `output=${outputName}`,
    `pooling=${options.pooling}`,
    `normalize=${options.normalize}`,
    `maxLength=${maxLength}`,
    `truncation=${options.truncationSide}`,
  ].join(':');

  return {
    specificationVersion: 'v1',
    name: 'onnx-text',
    id,
    modality: 'text',
    dimension,
    modelDirectory: resolved.directory,
    maxLength,
    async doEncode(inputs: EncodableInput[], encodeOptions: EncodeOptionsV1 = {}) {
      const texts = inputs.map((input, index) => {
        if (typeof input !== 'string') {
          throw new InvalidArgumentError(`ONNX text encoder input ${index}: expected a string, found an input of kind '${input.kind}'`, { source: 'encoder-onnx' });
        }
        return input;
      });
      const embeddings = createMatrix(texts.length, dimension);
      const callWarnings = [...warnings];
      // Similar lengths share a batch, so little compute goes to padding; results do not depend on it.
      const tokenized = texts.map((text, index) => ({ index, ids: tokenizer.encode(text, maxLength, options.truncationSide) }));
      tokenized.sort((a, b) => b.ids.length - a.ids.length || a.index - b.index);
      let done = 0;
      for (let start = 0; start < tokenized.length; start += options.batchSize) {
        encodeOptions.signal?.throwIfAborted();
        const batch = tokenized.slice(start, start + options.batchSize);
        const result = await runner.runTokenized(batch.map((item) => item.ids));
        if (result.width !== dimension) {
          throw new PluginUnavailableError(`${resolved.files['onnx']}: output '${outputName}' has width ${result.width}, expected ${dimension}`, { source: 'encoder-onnx' });
        }
        if (result.warning !== undefined && !callWarnings.includes(result.warning)) callWarnings.push(result.warning);
        batch.forEach((item, row) => embeddings.data.set(result.values.subarray(row * dimension, (row + 1) * dimension), item.index * dimension));
        done += batch.length;
        encodeOptions.onProgress?.({ done, total: texts.length });
      }
      return { embeddings, warnings: callWarnings };
    },
    async close() {
      await session.release();
    },
  };
}

async function readModelConfig(path: string): Promise<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch (error) {
    throw new PluginUnavailableError(`the model config ${path} is not valid JSON`, { source: 'encoder-onnx', cause: error });
  }
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Pads token id lists into one ONNX Runtime call and pools its output. */
class TextBatchRunner {
  constructor(
    private readonly ort: OnnxRuntime,
    private readonly session: InferenceSession,
    private readonly tokenizer: TextTokenizer,
    private readonly outputName: string,
    private readonly pooling: 'mean' | 'cls' | 'last',
    private readonly normalize: boolean,
    private readonly maxLength: number,
    private readonly truncationSide: 'right' | 'left',
  ) {}

  run(texts: string[]) {
    return this.runTokenized(texts.map((text) => this.tokenizer.encode(text, this.maxLength, this.truncationSide)));
  }

  async runTokenized(sequences: number[][]): Promise<{ values: Float32Array; width: number; warning?: string }> {
    const batch = sequences.length;
    const sequence = Math.max(1, ...sequences.map((ids) => ids.length));
    const ids = new BigInt64Array(batch * sequence).fill(BigInt(this.tokenizer.padTokenId));
    const mask = new BigInt64Array(batch * sequence);
    const maskNumbers = new Uint8Array(batch * sequence);
    sequences.forEach((tokens, row) => {
      tokens.forEach((token, position) => {
        ids[row * sequence + position] = BigInt(token);
        mask[row * sequence + position] = 1n;
        maskNumbers[row * sequence + position] = 1;
      });
    });
    const dims = [batch, sequence];
    const feeds: Record<string, Tensor> = {};
    for (const name of this.session.inputNames) {
      if (name === 'input_ids') feeds[name] = new this.ort.Tensor('int64', ids, dims);
      else if (name === 'attention_mask') feeds[name] = new this.ort.Tensor('int64', mask, dims);
      else if (name === 'token_type_ids') feeds[name] = new this.ort.Tensor('int64', new BigInt64Array(batch * sequence), dims);
      else if (name === 'position_ids') {
        const positions = new BigInt64Array(batch * sequence);
        for (let index = 0; index < positions.length; index++) positions[index] = BigInt(index % sequence);
        feeds[name] = new this.ort.Tensor('int64', positions, dims);
      }
    }
    const outputs = await this.session.run(feeds, [this.outputName]);
    const output = outputs[this.outputName]!;
    const data = output.data as Float32Array;
    if (output.dims.length === 2) {
      // Already pooled by the graph (e.g. a sentence_embedding output): use it as it is.
      const width = output.dims[1]!;
      const values = Float32Array.from(data);
      return { values: this.normalize ? normalizeRows(values, width) : values, width, warning: `output '${this.outputName}' is already pooled; pooling '${this.pooling}' is not applied` };
    }
    if (output.dims.length !== 3 || output.dims[0] !== batch || output.dims[1] !== sequence) {
      throw new PluginUnavailableError(`output '${this.outputName}': expected shape [${batch}, ${sequence}, width], found [${output.dims.join(', ')}]`, { source: 'encoder-onnx' });
    }
    const width = output.dims[2]!;
    const pooled = poolTokenStates(data, maskNumbers, batch, sequence, width, this.pooling);
    return { values: this.normalize ? normalizeRows(pooled, width) : pooled, width };
  }
}
