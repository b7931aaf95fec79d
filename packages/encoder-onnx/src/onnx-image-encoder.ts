import { readFile } from 'node:fs/promises';
import { createMatrix, type EncodableInput, type EncodeOptionsV1, type EncoderV1, formatZodIssues, InvalidArgumentError, type Matrix, parseOptions, PluginUnavailableError } from '@pal/core';
import { z } from 'zod';
import { imagePreprocessorConfigSchema, outputSize, preprocessImage, type ImagePreprocessorConfig, type ImageSource } from './image-preprocessing.js';
import { chooseOutput, createOnnxSession, declaredWidth } from './onnx-session.js';
import { normalizeRows } from './pooling.js';
import { modelSourceSettingsSchema, resolveModel, type ModelFileRequirement } from './resolve-model.js';

/** Settings of `createOnnxImageEncoder`. */
export const onnxImageEncoderSettingsSchema = modelSourceSettingsSchema
  .extend({
    /** Scale every embedding to unit L2 norm (CLIP compares normalised embeddings). */
    normalize: z.boolean().default(true),
    /** Images per ONNX Runtime call. */
    batchSize: z.number().int().positive().default(32),
    /** ONNX file inside the model folder; defaults to onnx/vision_model.onnx, then onnx/model.onnx, then model.onnx. */
    modelFile: z.string().min(1).optional(),
    /** Output holding the embedding; defaults to image_embeds, then pooler_output, then the first output. */
    outputName: z.string().min(1).optional(),
    /** ONNX Runtime intra-op threads; defaults to one per core. */
    threads: z.number().int().positive().optional(),
  })
  .strict();
/** Settings accepted by `createOnnxImageEncoder`. */
export type OnnxImageEncoderSettings = z.input<typeof onnxImageEncoderSettingsSchema>;

/** Options of `embedImages`. */
export interface EmbedImagesOptions extends EncodeOptionsV1 {
  /** Names for error messages, one per image (ids or file names). */
  labels?: string[];
}

/** An image encoder running a CLIP-style vision ONNX model; it also takes decoded pixels through `embedImages`. */
export interface OnnxImageEncoder extends EncoderV1 {
  readonly modality: 'image';
  readonly modelDirectory: string;
  /** The parsed preprocessor_config.json in force. */
  readonly preprocessing: ImagePreprocessorConfig;
  /** Embeds image files, encoded bytes or decoded pixels; row j is image j. */
  embedImages(images: ImageSource[], options?: EmbedImagesOptions): Promise<{ embeddings: Matrix; warnings: string[] }>;
  close(): Promise<void>;
}

/** Files an image model folder needs. */
export function imageModelFiles(modelFile?: string): ModelFileRequirement[] {
  const onnx = modelFile !== undefined ? [modelFile] : ['onnx/vision_model.onnx', 'onnx/model.onnx', 'model.onnx'];
  return [
    { name: 'preprocessor', candidates: ['preprocessor_config.json'], required: true },
    { name: 'config', candidates: ['config.json'], required: false },
    { name: 'onnx', candidates: onnx, required: true },
    { name: 'onnxData', candidates: onnx.map((path) => `${path}_data`), required: false },
  ];
}

/**
 * Loads an image encoder from a CLIP-style vision model folder (preprocessor_config.json plus an ONNX
 * vision tower with input pixel_values) or a Hugging Face repo id. Images are decoded and
 * preprocessed with sharp as the preprocessor config says, then batched through onnxruntime-node.
 */
export async function createOnnxImageEncoder(settings: OnnxImageEncoderSettings): Promise<OnnxImageEncoder> {
  const options = parseOptions(onnxImageEncoderSettingsSchema, settings, 'ONNX image encoder settings');
  const { model, revision, cacheDirectory, fetch, accessToken, hubUrl } = options;
  const resolved = await resolveModel({ model, revision, cacheDirectory, fetch, accessToken, hubUrl, files: imageModelFiles(options.modelFile) });
  const preprocessing = await readPreprocessorConfig(resolved.files['preprocessor']!);
  const { ort, session } = await createOnnxSession(resolved.files['onnx']!, options.threads);
  if (!session.inputNames.includes('pixel_values') || session.inputNames.length !== 1) {
    await session.release();
    throw new PluginUnavailableError(`${resolved.files['onnx']}: expected one input named pixel_values, found ${session.inputNames.join(', ')}; export the vision tower alone`, {
      source: 'encoder-onnx',
    });
  }
  const outputName = await chooseOutput(session, options.outputName, ['image_embeds', 'pooler_output']);
  const size = outputSize(preprocessing);
  if (size === undefined) {
    await session.release();
    throw new PluginUnavailableError(`${resolved.files['preprocessor']}: expected size or crop_size, found neither, so images cannot be brought to the model's input size`, {
      source: 'encoder-onnx',
    });
  }

  const runBatch = async (pixels: Float32Array, count: number): Promise<{ values: Float32Array; width: number; warning?: string }> => {
    const outputs = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [count, 3, size.height, size.width]) }, [outputName]);
    const output = outputs[outputName]!;
    const data = output.data as Float32Array;
    let values: Float32Array;
    let width: number;
    let warning: string | undefined;
    if (output.dims.length === 2) {
      width = output.dims[1]!;
      values = Float32Array.from(data);
    } else if (output.dims.length === 3) {
      // Token states (last_hidden_state): the class token at position 0 is CLIP's pooled state.
      const tokens = output.dims[1]!;
      width = output.dims[2]!;
      values = new Float32Array(count * width);
      for (let row = 0; row < count; row++) values.set(data.subarray(row * tokens * width, row * tokens * width + width), row * width);
      warning = `output '${outputName}' holds token states; the first (class) token is used`;
    } else {
      throw new PluginUnavailableError(`output '${outputName}': expected shape [batch, width] or [batch, tokens, width], found [${output.dims.join(', ')}]`, { source: 'encoder-onnx' });
    }
    return { values: options.normalize ? normalizeRows(values, width) : values, width, ...(warning !== undefined ? { warning } : {}) };
  };

  const plane = 3 * size.height * size.width;
  const dimension = declaredWidth(session, outputName) ?? (await runBatch(new Float32Array(plane), 1)).width;
  const id = ['onnx-image:v1', resolved.fingerprint, `file=${resolved.relativeFiles['onnx']}`, `output=${outputName}`, `normalize=${options.normalize}`].join(':');

  const embedImages = async (images: ImageSource[], embedOptions: EmbedImagesOptions = {}) => {
    const embeddings = createMatrix(images.length, dimension);
    const warnings: string[] = [];
    for (let start = 0; start < images.length; start += options.batchSize) {
      embedOptions.signal?.throwIfAborted();
      const batch = images.slice(start, start + options.batchSize);
      const pixels = new Float32Array(batch.length * plane);
      const prepared = await Promise.all(batch.map((image, offset) => preprocessImage(image, preprocessing, embedOptions.labels?.[start + offset] ?? String(start + offset))));
      prepared.forEach((item, offset) => pixels.set(item.values, offset * plane));
      const result = await runBatch(pixels, batch.length);
      if (result.width !== dimension) {
        throw new PluginUnavailableError(`${resolved.files['onnx']}: output '${outputName}' has width ${result.width}, expected ${dimension}`, { source: 'encoder-onnx' });
      }
      if (result.warning !== undefined && !warnings.includes(result.warning)) warnings.push(result.warning);
      embeddings.data.set(result.values, start * dimension);
      embedOptions.onProgress?.({ done: start + batch.length, total: images.length });
    }
    return { embeddings, warnings };
  };

  return {
    specificationVersion: 'v1',
    name: 'onnx-image',
    id,
    modality: 'image',
    dimension,
    modelDirectory: resolved.directory,
    preprocessing,
    embedImages,
    async doEncode(inputs: EncodableInput[], encodeOptions: EncodeOptionsV1 = {}) {
      const labels: string[] = [];
      const images = inputs.map((input, index): ImageSource => {
        if (typeof input === 'string' || input.kind !== 'image') {
          const found = typeof input === 'string' ? 'text' : `an input of kind '${input.kind}'`;
          throw new InvalidArgumentError(`ONNX image encoder input ${index}: expected an image, found ${found}`, { source: 'encoder-onnx' });
        }
        labels.push(`'${input.id}'`);
        if (input.bytes !== undefined) return input.bytes;
        if (input.path !== undefined) return input.path;
        throw new InvalidArgumentError(`ONNX image encoder input ${index} ('${input.id}'): expected a path or bytes, found neither`, { source: 'encoder-onnx' });
      });
      return embedImages(images, { ...encodeOptions, labels });
    },
    async close() {
      await session.release();
    },
  };
}

async function readPreprocessorConfig(path: string): Promise<ImagePreprocessorConfig> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new PluginUnavailableError(`the preprocessor config ${path} is not valid JSON`, { source: 'encoder-onnx', cause: error });
  }
  const parsed = imagePreprocessorConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new PluginUnavailableError(`the preprocessor config ${path} is invalid: ${formatZodIssues(parsed.error)}`, { source: 'encoder-onnx', cause: parsed.error });
  }
  return parsed.data;
}
