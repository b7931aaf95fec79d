import { describe, expect, it } from 'vitest';
import { DimensionMismatchError, InvalidArgumentError, InvalidCheckpointError } from '../errors/errors.js';
import type { NamedWeights } from '../model/named-weights.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

const source = '/checkpoints/run-1/weights.safetensors';

function bitsOf(values: Float32Array): number[] {
  return Array.from(new Uint32Array(values.buffer, values.byteOffset, values.length));
}

/** A safetensors file assembled by hand from a header object and raw data bytes (no padding unless given). */
function assemble(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function littleEndianFloats(values: number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return bytes;
}

const sample: NamedWeights = {
  'projector.0.weight': { shape: [2, 3], data: new Float32Array([1.5, -2.25, 0, -0, 3.4028234663852886e38, 1e-45]) },
  'projector.0.bias': { shape: [2], data: new Float32Array([Number.POSITIVE_INFINITY, Number.NaN]) },
  userLogits: { shape: [0, 4], data: new Float32Array(0) },
  logLogitScale: { shape: [1], data: new Float32Array([Math.log(1 / 0.07)]) },
};

describe('encodeSafetensors / decodeSafetensors', () => {
  it('should round-trip names, order, shapes, metadata and every bit of the data', () => {
    const decoded = decodeSafetensors(encodeSafetensors(sample, { 'pal.modelKind': 'pal-b' }), source);
    expect(Object.keys(decoded.weights)).toEqual(Object.keys(sample));
    expect(decoded.metadata).toEqual({ 'pal.modelKind': 'pal-b' });
    for (const [name, tensor] of Object.entries(sample)) {
      expect(decoded.weights[name]!.shape).toEqual(tensor.shape);
      expect(bitsOf(decoded.weights[name]!.data)).toEqual(bitsOf(tensor.data));
    }
  });

  it('should write a header that an independent reader parses: u64 length, padded JSON, F32 offsets, little-endian data', () => {
    const bytes = encodeSafetensors(sample, { note: 'hello' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = Number(view.getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
    expect(headerText.trimEnd().length).toBeGreaterThan(headerLength - 8);
    expect(headerText.slice(headerText.trimEnd().length)).toMatch(/^ *$/);
    const header = JSON.parse(headerText) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    expect(header.__metadata__).toEqual({ note: 'hello' });
    let expectedBegin = 0;
    for (const [name, tensor] of Object.entries(sample)) {
      const entry = header[name]!;
      expect(entry.dtype).toBe('F32');
      expect(entry.shape).toEqual(tensor.shape);
      expect(entry.data_offsets).toEqual([expectedBegin, expectedBegin + tensor.data.length * 4]);
      for (let index = 0; index < tensor.data.length; index++) {
        const value = view.getFloat32(8 + headerLength + expectedBegin + index * 4, true);
        expect(Object.is(value, tensor.data[index]) || (Number.isNaN(value) && Number.isNaN(tensor.data[index]!))).toBe(true);
      }
      expectedBegin += tensor.data.length * 4;
    }
    expect(bytes.length).toBe(8 + headerLength + expectedBegin);
  });

  it('should read a hand-written file whose tensor data starts unaligned and copy it into aligned arrays', () => {
    const header = { b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
    const file = assemble(header, littleEndianFloats([7, 8, 9]), `${JSON.stringify(header)}   `);
    // Shift the whole file by one byte inside a larger buffer so no offset is 4-byte aligned.
    const shifted = new Uint8Array(file.length + 1);
    shifted.set(file, 1);
    const decoded = decodeSafetensors(shifted.subarray(1), source);
    expect(Array.from(decoded.weights.a!.data)).toEqual([7]);
    expect(Array.from(decoded.weights.b!.data)).toEqual([8, 9]);
    expect(decoded.weights.b!.data.byteOffset).toBe(0);
    expect(decoded.metadata).toEqual({});
  });

  it('should decode a copy that does not alias the input bytes', () => {
    const bytes = encodeSafetensors({ x: { shape: [1], data: new Float32Array([1]) } }, {});
    const decoded = decodeSafetensors(bytes, source);
    bytes.fill(0, bytes.length - 4);
    expect(decoded.weights.x!.data[0]).toBe(1);
  });

  const entry = (begin: number, end: number, shape = [(end - begin) / 4], dtype = 'F32') => ({ dtype, shape, data_offsets: [begin, end] });
  const invalidFiles: [string, () => Uint8Array, RegExp][] = [
    ['a file shorter than the length field', () => new Uint8Array(5), /5 bytes, expected at least the 8-byte header length/],
    ['a header length beyond the file', () => assemble({}, new Uint8Array(0)).subarray(0, 8), /header length 2 exceeds the 0 bytes/],
    ['a header that is not JSON', () => assemble(null, new Uint8Array(0), '{"a": '), /header is not valid JSON/],
    ['a header that is not UTF-8', () => assemble(null, new Uint8Array(0), 'xx').fill(0xff, 8), /not valid UTF-8/],
    ['a header that is an array', () => assemble([], new Uint8Array(0)), /expected a JSON object, found array/],
    ['an unsupported dtype', () => assemble({ w: entry(0, 4, [2], 'F16') }, new Uint8Array(4)), /tensor "w": dtype F16 is not supported, expected F32/],
    ['a missing shape', () => assemble({ w: { dtype: 'F32', data_offsets: [0, 4] } }, new Uint8Array(4)), /tensor "w": field "shape": expected array, found nothing/],
    ['offsets beyond the data', () => assemble({ w: entry(0, 8) }, new Uint8Array(4)), /tensor "w": data_offsets \[0, 8\] outside the 4 data bytes/],
    ['reversed offsets', () => assemble({ w: entry(4, 0, [0]) }, new Uint8Array(4)), /tensor "w": data_offsets \[4, 0\]/],
    ['a byte length that does not match the shape', () => assemble({ w: entry(0, 8, [3]) }, new Uint8Array(8)), /tensor "w": shape \[3\] needs 12 bytes, data_offsets \[0, 8\] span 8/],
    ['overlapping tensors', () => assemble({ v: entry(0, 8), w: entry(4, 12) }, new Uint8Array(12)), /tensor "w": data_offsets \[4, 12\] overlap tensor "v"/],
    ['a gap between tensors', () => assemble({ v: entry(0, 4), w: entry(8, 12) }, new Uint8Array(12)), /tensor "w": 4 unused bytes before/],
    ['trailing garbage', () => assemble({ w: entry(0, 4) }, new Uint8Array(7)), /3 trailing bytes after the last tensor/],
    ['non-string metadata', () => assemble({ __metadata__: { seed: 3 } }, new Uint8Array(0)), /"__metadata__": field "seed": expected string, found number/],
  ];

  it.each(invalidFiles)('should reject %s with an InvalidCheckpointError naming the file', (_, build, message) => {
    let thrown: unknown;
    try {
      decodeSafetensors(build(), source);
    } catch (error) {
      thrown = error;
    }
    expect(InvalidCheckpointError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toContain(`safetensors ${source}: `);
    expect((thrown as Error).message).toMatch(message);
  });

  it('should refuse to encode data that does not fill its shape, or a tensor named __metadata__', () => {
    expect(() => encodeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } }, {})).toThrow(DimensionMismatchError);
    expect(() => encodeSafetensors({ w: { shape: [2], data: new Float64Array(2) as unknown as Float32Array } }, {})).toThrow(
      /expected Float32Array data, found Float64Array/,
    );
    expect(() => encodeSafetensors({ __metadata__: { shape: [0], data: new Float32Array(0) } }, {})).toThrow(InvalidArgumentError);
  });
});
