import { readFile } from 'node:fs/promises';
import { PluginUnavailableError } from '@pal/core';

/** Which end of a too-long text is cut: 'right' keeps the beginning, 'left' keeps the end. */
export type TruncationSide = 'right' | 'left';

/** A Hugging Face tokenizer (through @huggingface/transformers) that truncates but keeps special tokens. */
export interface TextTokenizer {
  readonly padTokenId: number;
  /** The tokenizer's `model_max_length`, when its config gives a finite one. */
  readonly modelMaxLength: number | undefined;
  /** Token ids with the model's special tokens, at most `maxLength` of them. */
  encode(text: string, maxLength: number, side: TruncationSide): number[];
}

interface TransformersTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  pad_token_id: number | undefined;
  model_max_length: number;
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PluginUnavailableError(`cannot read the ${what} ${path}`, { source: 'encoder-onnx', cause: error });
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}`);
    return value as Record<string, unknown>;
  } catch (error) {
    throw new PluginUnavailableError(`the ${what} ${path} is not a valid JSON object`, { source: 'encoder-onnx', cause: error });
  }
}

/**
 * Builds the tokenizer class named by `tokenizer_config.json` (as AutoTokenizer does) from the files on
 * disk. Constructing it directly keeps transformers' global `env` untouched and never reaches the network.
 */
export async function loadTextTokenizer(tokenizerPath: string, configPath: string | undefined): Promise<TextTokenizer> {
  const tokenizerJson = await readJson(tokenizerPath, 'tokenizer file');
  const config = configPath !== undefined ? await readJson(configPath, 'tokenizer config') : {};
  const transformers = (await import('@huggingface/transformers')) as unknown as Record<string, unknown> & {
    PreTrainedTokenizer: new (json: unknown, config: unknown) => TransformersTokenizer;
  };
  const className = typeof config['tokenizer_class'] === 'string' ? config['tokenizer_class'].replace(/Fast$/, '') : 'PreTrainedTokenizer';
  const candidate = transformers[className];
  const TokenizerClass =
    typeof candidate === 'function' && /Tokenizer$/.test(className) ? (candidate as typeof transformers.PreTrainedTokenizer) : transformers.PreTrainedTokenizer;
  let tokenizer: TransformersTokenizer;
  try {
    tokenizer = new TokenizerClass(tokenizerJson, config);
  } catch (error) {
    throw new PluginUnavailableError(`cannot build a tokenizer from ${tokenizerPath}: @huggingface/transformers rejected it (see cause)`, {
      source: 'encoder-onnx',
      cause: error,
    });
  }
  const modelMaxLength = Number.isFinite(tokenizer.model_max_length) && tokenizer.model_max_length < 1e9 ? tokenizer.model_max_length : undefined;
  return {
    padTokenId: tokenizer.pad_token_id ?? 0,
    modelMaxLength,
    encode(text, maxLength, side) {
      const full = tokenizer.encode(text);
      if (full.length <= maxLength) return full;
      const bare = tokenizer.encode(text, { add_special_tokens: false });
      const specials = full.length - bare.length;
      const prefix = findSubsequence(full, bare, specials);
      if (prefix === undefined || maxLength <= specials) {
        // Unusual post-processor: cut the whole sequence.
        return side === 'right' ? full.slice(0, maxLength) : full.slice(full.length - maxLength);
      }
      const keep = maxLength - specials;
      const content = side === 'right' ? bare.slice(0, keep) : bare.slice(bare.length - keep);
      return [...full.slice(0, prefix), ...content, ...full.slice(prefix + bare.length)];
    },
  };
}

/** Where `part` sits inside `whole` when `whole` = prefix + part + suffix with `extra` tokens around it. */
function findSubsequence(whole: number[], part: number[], extra: number): number | undefined {
  if (extra < 0) return undefined;
  for (let offset = 0; offset <= extra; offset++) {
    let matches = true;
    for (let index = 0; index < part.length && matches; index++) matches = whole[offset + index] === part[index];
    if (matches) return offset;
  }
  return undefined;
}
