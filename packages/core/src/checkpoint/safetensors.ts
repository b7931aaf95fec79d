import { z } from 'zod';
import { DimensionMismatchError, InvalidArgumentError, InvalidCheckpointError } from '../errors/errors.js';
import type { NamedWeights } from '../model/named-weights.js';
import { describeJsonKind, describeZodError } from './describe-zod-issue.js';

/** The only dtype PAL writes and reads: IEEE 754 float32, little-endian. */
export const SAFETENSORS_DTYPE = 'F32';

const METADATA_KEY = '__metadata__';
const HEADER_LENGTH_BYTES = 8;
const ALIGNMENT = 8;
const FLOAT32_BYTES = 4;
const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Weights and string metadata read from a safetensors file. */
export interface DecodedSafetensors {
  weights: NamedWeights;
  metadata: Record<string, string>;
}

const tensorEntrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
});

const metadataSchema = z.record(z.string(), z.string());

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/**
 * Serialises weights in the safetensors format (the 8-byte little-endian header length, a JSON header
 * padded with spaces to a multiple of 8 bytes, then the float32 data), tensors in the key order of
 * `weights`, so `safetensors.safe_open` in Python and every other safetensors reader can load them.
 */
export function encodeSafetensors(weights: NamedWeights, metadata: Record<string, string> = {}): Uint8Array {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(`safetensors metadata "${key}": expected string, found ${describeJsonKind(value)}`);
    }
  }
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let dataBytes = 0;
  for (const [name, tensor] of Object.entries(weights)) {
    if (name === METADATA_KEY) throw new InvalidArgumentError(`safetensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    const data: unknown = tensor.data;
    if (!(data instanceof Float32Array)) {
      const found = typeof data === 'object' && data !== null ? data.constructor.name : describeJsonKind(data);
      throw new InvalidArgumentError(`safetensors tensor "${name}": expected Float32Array data, found ${found}`);
    }
    if (!tensor.shape.every((size) => Number.isSafeInteger(size) && size >= 0)) {
      throw new InvalidArgumentError(`safetensors tensor "${name}": expected a shape of non-negative integers, found [${tensor.shape}]`);
    }
    if (elementCount(tensor.shape) !== tensor.data.length) {
      throw new DimensionMismatchError(
        `safetensors tensor "${name}": shape [${tensor.shape}] holds ${elementCount(tensor.shape)} values, found ${tensor.data.length}`,
      );
    }
    const byteLength = tensor.data.length * FLOAT32_BYTES;
    header[name] = { dtype: SAFETENSORS_DTYPE, shape: tensor.shape, data_offsets: [dataBytes, dataBytes + byteLength] };
    dataBytes += byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Padding makes the data start 8-byte aligned, so readers can map it without copying.
  const headerBytes = Math.ceil(json.length / ALIGNMENT) * ALIGNMENT;
  const bytes = new Uint8Array(HEADER_LENGTH_BYTES + headerBytes + dataBytes);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerBytes), true);
  bytes.set(json, HEADER_LENGTH_BYTES);
  bytes.fill(0x20, HEADER_LENGTH_BYTES + json.length, HEADER_LENGTH_BYTES + headerBytes);
  let offset = HEADER_LENGTH_BYTES + headerBytes;
  for (const tensor of Object.values(weights)) {
    writeFloat32LittleEndian(bytes, offset, tensor.data);
    offset += tensor.data.length * FLOAT32_BYTES;
  }
  return bytes;
}

function writeFloat32LittleEndian(target: Uint8Array, offset: number, values: Float32Array): void {
  if (littleEndianHost) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset + offset, values.byteLength);
  for (let index = 0; index < values.length; index++) view.setFloat32(index * FLOAT32_BYTES, values[index]!, true);
}

function readFloat32LittleEndian(source: Uint8Array, begin: number, count: number): Float32Array {
  const values = new Float32Array(count);
  if (littleEndianHost) {
    // Copy bytes rather than viewing them: the offset may not be 4-byte aligned and callers own the result.
    new Uint8Array(values.buffer).set(source.subarray(begin, begin + count * FLOAT32_BYTES));
    return values;
  }
  const view = new DataView(source.buffer, source.byteOffset + begin, count * FLOAT32_BYTES);
  for (let index = 0; index < count; index++) values[index] = view.getFloat32(index * FLOAT32_BYTES, true);
  return values;
}

/**
 * Parses and validates a safetensors file (header length within the file, JSON header, F32 dtype,
 * offsets in range, neither overlapping nor leaving gaps, sizes matching shapes, no trailing bytes)
 * and copies each tensor into a fresh Float32Array. `source` names the file in error messages.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): DecodedSafetensors {
  const fail: (detail: string, cause?: unknown) => never = (detail, cause) => {
    throw new InvalidCheckpointError(`safetensors ${source}: ${detail}`, cause === undefined ? {} : { cause });
  };
  if (bytes.length < HEADER_LENGTH_BYTES) {
    fail(`file has ${bytes.length} bytes, expected at least the ${HEADER_LENGTH_BYTES}-byte header length`);
  }
  const declaredLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (declaredLength > BigInt(bytes.length - HEADER_LENGTH_BYTES)) {
    fail(`header length ${declaredLength} exceeds the ${bytes.length - HEADER_LENGTH_BYTES} bytes after the length field (file truncated?)`);
  }
  const headerLength = Number(declaredLength);
  const dataStart = HEADER_LENGTH_BYTES + headerLength;
  const dataLength = bytes.length - dataStart;

  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_LENGTH_BYTES, dataStart));
  } catch (error) {
    fail('header is not valid UTF-8', error);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`header is not valid JSON (${(error as Error).message})`, error);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    fail(`header: expected a JSON object, found ${describeJsonKind(header)}`);
  }

  let metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const entries: { name: string; shape: number[]; begin: number; count: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      const parsed = metadataSchema.safeParse(value, { reportInput: true });
      if (!parsed.success) fail(`"${METADATA_KEY}": ${describeZodError(parsed.error)}`, parsed.error);
      metadata = parsed.data;
      continue;
    }
    const parsed = tensorEntrySchema.safeParse(value, { reportInput: true });
    if (!parsed.success) fail(`tensor "${name}": ${describeZodError(parsed.error)}`, parsed.error);
    const { dtype, shape, data_offsets: [begin, end] } = parsed.data;
    if (dtype !== SAFETENSORS_DTYPE) fail(`tensor "${name}": dtype ${dtype} is not supported, expected ${SAFETENSORS_DTYPE}`);
    if (begin > end || end > dataLength) {
      fail(`tensor "${name}": data_offsets [${begin}, ${end}] outside the ${dataLength} data bytes (file truncated?)`);
    }
    const count = elementCount(shape);
    if (end - begin !== count * FLOAT32_BYTES) {
      fail(`tensor "${name}": shape [${shape}] needs ${count * FLOAT32_BYTES} bytes, data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    spans.push({ name, begin, end });
    entries.push({ name, shape, begin: dataStart + begin, count });
  }

  spans.sort((left, right) => left.begin - right.begin || left.end - right.end);
  let covered = 0;
  let previous = '(start of data)';
  for (const span of spans) {
    if (span.begin < covered) fail(`tensor "${span.name}": data_offsets [${span.begin}, ${span.end}] overlap tensor "${previous}"`);
    if (span.begin > covered) fail(`tensor "${span.name}": ${span.begin - covered} unused bytes before its data_offsets [${span.begin}, ${span.end}]`);
    covered = span.end;
    previous = span.name;
  }
  if (covered !== dataLength) fail(`${dataLength - covered} trailing bytes after the last tensor`);

  const weights: NamedWeights = {};
  for (const entry of entries) weights[entry.name] = { shape: entry.shape, data: readFloat32LittleEndian(bytes, entry.begin, entry.count) };
  return { weights, metadata };
}
