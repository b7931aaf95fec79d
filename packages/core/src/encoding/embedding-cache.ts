import { createHash } from 'node:crypto';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from './crc32.js';
import { EmbeddingCacheError } from './embedding-cache-error.js';

/** First bytes of every cache file; the digits are the file format version. */
const FILE_MAGIC = Buffer.from('PALEMB01', 'latin1');
/** First four bytes of every record ("PER1" read as a little-endian uint32). */
const RECORD_MAGIC = 0x31524550;
const KEY_BYTES = 32;
/** magic + key + dimension + crc32; values are float32 in the machine's byte order (little-endian everywhere Node runs). */
const RECORD_OVERHEAD = 4 + KEY_BYTES + 4 + 4;
const FILE_EXTENSION = '.pal-embeddings';
const SCAN_CHUNK_BYTES = 1 << 22;
const MAX_HEADER_JSON_BYTES = 1 << 20;

/** One embedding to store: its 32-byte content key and its values. */
export interface EmbeddingCacheEntry {
  key: Uint8Array;
  values: Float32Array;
}

/**
 * The cached embeddings of one encoder, one append-only file. Records are
 * `[magic][sha-256 key][dimension][float32 values][crc32 of all before]`; opening the file scans it,
 * indexes the valid records, skips damaged ones and cuts a torn tail, so an interrupted run resumes
 * from its last complete record and a damaged record is re-embedded, never loaded.
 */
export interface EmbeddingCacheStore {
  readonly path: string;
  readonly encoderId: string;
  readonly dimension: number;
  /** Number of distinct keys stored. */
  readonly size: number;
  /** Damaged records found when the file was opened (bad checksum, or a torn last record). */
  readonly damagedRecords: number;
  /** Bytes cut from the end of the file when it was opened (a torn or damaged tail). */
  readonly truncatedBytes: number;
  has(key: Uint8Array): boolean;
  /** Reads the values of `keys` (undefined where a key is absent or its record no longer verifies). */
  read(keys: Uint8Array[]): Promise<(Float32Array | undefined)[]>;
  /** Appends entries and flushes them to disk before resolving. */
  append(entries: EmbeddingCacheEntry[]): Promise<void>;
  close(): Promise<void>;
}

/** A folder of embedding stores, one file per encoder id. */
export interface EmbeddingCache {
  readonly directory: string;
  /** Opens (creating when needed) the store of one encoder; one writer per store at a time. */
  open(encoder: { id: string; dimension: number }): Promise<EmbeddingCacheStore>;
}

/**
 * An on-disk embedding cache keyed by encoder identity and input content. Safe to interrupt at any
 * point: records are appended whole and checksummed, and reopening verifies them.
 */
export function createEmbeddingCache(directory: string): EmbeddingCache {
  return {
    directory,
    async open(encoder) {
      if (!Number.isInteger(encoder.dimension) || encoder.dimension <= 0) {
        throw new EmbeddingCacheError(`encoder '${encoder.id}': expected a positive integer dimension, found ${encoder.dimension}`, { source: 'embedding-cache' });
      }
      try {
        await mkdir(directory, { recursive: true });
      } catch (error) {
        throw new EmbeddingCacheError(`cannot create the cache folder ${directory}`, { source: 'embedding-cache', cause: error });
      }
      return openStore(join(directory, embeddingCacheFileName(encoder.id)), encoder.id, encoder.dimension);
    },
  };
}

/** The store file name of an encoder id: readable prefix plus a hash, so distinct ids never share a file. */
export function embeddingCacheFileName(encoderId: string): string {
  const readable = encoderId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const digest = createHash('sha256').update(encoderId, 'utf8').digest('hex').slice(0, 16);
  return `${readable}-${digest}${FILE_EXTENSION}`;
}

function encodeHeader(encoderId: string, dimension: number): Buffer {
  const json = Buffer.from(JSON.stringify({ format: 1, encoderId, dimension }), 'utf8');
  const header = Buffer.alloc(FILE_MAGIC.length + 4 + json.length + 4);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt32LE(json.length, FILE_MAGIC.length);
  json.copy(header, FILE_MAGIC.length + 4);
  header.writeUInt32LE(crc32(header.subarray(0, header.length - 4)), header.length - 4);
  return header;
}

type HeaderState = { kind: 'valid'; length: number; encoderId: string; dimension: number } | { kind: 'torn' } | { kind: 'foreign' };

async function readHeader(handle: FileHandle, fileSize: number): Promise<HeaderState> {
  const prefixLength = Math.min(fileSize, FILE_MAGIC.length + 4);
  const prefix = Buffer.alloc(prefixLength);
  await handle.read(prefix, 0, prefixLength, 0);
  const magicBytes = Math.min(prefixLength, FILE_MAGIC.length);
  if (!prefix.subarray(0, magicBytes).equals(FILE_MAGIC.subarray(0, magicBytes))) return { kind: 'foreign' };
  if (prefixLength < FILE_MAGIC.length + 4) return { kind: 'torn' };
  const jsonLength = prefix.readUInt32LE(FILE_MAGIC.length);
  const length = FILE_MAGIC.length + 4 + jsonLength + 4;
  if (jsonLength > MAX_HEADER_JSON_BYTES || fileSize < length) return { kind: 'torn' };
  const header = Buffer.alloc(length);
  await handle.read(header, 0, length, 0);
  if (crc32(header.subarray(0, length - 4)) !== header.readUInt32LE(length - 4)) return { kind: 'torn' };
  try {
    const parsed = JSON.parse(header.subarray(FILE_MAGIC.length + 4, length - 4).toString('utf8')) as { encoderId?: unknown; dimension?: unknown };
    if (typeof parsed.encoderId !== 'string' || typeof parsed.dimension !== 'number') return { kind: 'torn' };
    return { kind: 'valid', length, encoderId: parsed.encoderId, dimension: parsed.dimension };
  } catch {
    return { kind: 'torn' };
  }
}

async function openStore(path: string, encoderId: string, dimension: number): Promise<EmbeddingCacheStore> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'a+');
  } catch (error) {
    throw new EmbeddingCacheError(`cannot open the cache file ${path}`, { source: 'embedding-cache', cause: error });
  }
  try {
    return await scanStore(handle, path, encoderId, dimension);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function scanStore(handle: FileHandle, path: string, encoderId: string, dimension: number): Promise<EmbeddingCacheStore> {
  const recordBytes = RECORD_OVERHEAD + 4 * dimension;
  let fileSize = (await handle.stat()).size;
  let truncatedBytes = 0;
  let damagedRecords = 0;
  let headerLength: number;

  const header = fileSize === 0 ? ({ kind: 'torn' } as const) : await readHeader(handle, fileSize);
  if (header.kind === 'foreign') {
    throw new EmbeddingCacheError(`${path}: expected a PAL embedding-cache file (starting with 'PALEMB01'), found other content; move it away`, {
      source: 'embedding-cache',
    });
  }
  if (header.kind === 'valid') {
    if (header.encoderId !== encoderId || header.dimension !== dimension) {
      throw new EmbeddingCacheError(
        `${path}: expected embeddings of encoder '${encoderId}' (dimension ${dimension}), found '${header.encoderId}' (dimension ${header.dimension})`,
        { source: 'embedding-cache' },
      );
    }
    headerLength = header.length;
  } else {
    // A header is written once, when the file is created: a torn one means nothing was stored yet.
    truncatedBytes += fileSize;
    await handle.truncate(0);
    const fresh = encodeHeader(encoderId, dimension);
    await handle.write(fresh);
    await handle.datasync();
    fileSize = fresh.length;
    headerLength = fresh.length;
  }

  const index = new Map<string, number>();
  const recordsPerChunk = Math.max(1, Math.floor(SCAN_CHUNK_BYTES / recordBytes));
  const chunk = Buffer.alloc(recordsPerChunk * recordBytes);
  let validEnd = headerLength;
  let offset = headerLength;
  while (offset + recordBytes <= fileSize) {
    const wholeRecords = Math.min(recordsPerChunk, Math.floor((fileSize - offset) / recordBytes));
    const length = wholeRecords * recordBytes;
    await handle.read(chunk, 0, length, offset);
    for (let record = 0; record < wholeRecords; record++) {
      const start = record * recordBytes;
      const bytes = chunk.subarray(start, start + recordBytes);
      if (verifyRecord(bytes, dimension)) {
        index.set(bytes.subarray(4, 4 + KEY_BYTES).toString('hex'), offset + start);
        validEnd = offset + start + recordBytes;
      } else {
        damagedRecords++;
      }
    }
    offset += length;
  }
  if (offset < fileSize) damagedRecords++;
  if (validEnd < fileSize) {
    // Damaged records after the last valid one, and a partial record, are a torn tail: cut it so that
    // new records start on a record boundary. Damaged records in the middle stay, skipped.
    truncatedBytes += fileSize - validEnd;
    await handle.truncate(validEnd);
    await handle.datasync();
    fileSize = validEnd;
  }

  let closed = false;
  const assertOpen = () => {
    if (closed) throw new EmbeddingCacheError(`${path}: the store is closed`, { source: 'embedding-cache' });
  };

  return {
    path,
    encoderId,
    dimension,
    get size() {
      return index.size;
    },
    damagedRecords,
    truncatedBytes,
    has(key) {
      return index.has(Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex'));
    },
    async read(keys) {
      assertOpen();
      const results: (Float32Array | undefined)[] = new Array(keys.length).fill(undefined);
      const wanted: { position: number; offset: number; key: Buffer }[] = [];
      keys.forEach((key, position) => {
        const keyBuffer = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
        const recordOffset = index.get(keyBuffer.toString('hex'));
        if (recordOffset !== undefined) wanted.push({ position, offset: recordOffset, key: keyBuffer });
      });
      wanted.sort((a, b) => a.offset - b.offset);
      // Read runs of nearby records with one call each.
      let first = 0;
      while (first < wanted.length) {
        let last = first;
        while (
          last + 1 < wanted.length &&
          wanted[last + 1]!.offset + recordBytes - wanted[first]!.offset <= SCAN_CHUNK_BYTES &&
          wanted[last + 1]!.offset - wanted[last]!.offset <= 8 * recordBytes
        ) {
          last++;
        }
        const base = wanted[first]!.offset;
        const span = Buffer.alloc(wanted[last]!.offset + recordBytes - base);
        const { bytesRead } = await handle.read(span, 0, span.length, base);
        for (let item = first; item <= last; item++) {
          const start = wanted[item]!.offset - base;
          if (start + recordBytes > bytesRead) continue;
          const bytes = span.subarray(start, start + recordBytes);
          if (!verifyRecord(bytes, dimension) || !bytes.subarray(4, 4 + KEY_BYTES).equals(wanted[item]!.key)) continue;
          const values = new Float32Array(dimension);
          new Uint8Array(values.buffer).set(bytes.subarray(4 + KEY_BYTES + 4, 4 + KEY_BYTES + 4 + 4 * dimension));
          results[wanted[item]!.position] = values;
        }
        first = last + 1;
      }
      return results;
    },
    async append(entries) {
      assertOpen();
      if (entries.length === 0) return;
      const buffer = Buffer.alloc(entries.length * recordBytes);
      entries.forEach((entry, position) => {
        if (entry.key.byteLength !== KEY_BYTES) {
          throw new EmbeddingCacheError(`${path}: entry ${position}: expected a ${KEY_BYTES}-byte key, found ${entry.key.byteLength} bytes`, { source: 'embedding-cache' });
        }
        if (entry.values.length !== dimension) {
          throw new EmbeddingCacheError(`${path}: entry ${position}: expected ${dimension} values, found ${entry.values.length}`, { source: 'embedding-cache' });
        }
        const start = position * recordBytes;
        buffer.writeUInt32LE(RECORD_MAGIC, start);
        buffer.set(entry.key, start + 4);
        buffer.writeUInt32LE(dimension, start + 4 + KEY_BYTES);
        buffer.set(new Uint8Array(entry.values.buffer, entry.values.byteOffset, entry.values.byteLength), start + 4 + KEY_BYTES + 4);
        const checksumAt = start + recordBytes - 4;
        buffer.writeUInt32LE(crc32(buffer.subarray(start, checksumAt)), checksumAt);
      });
      try {
        await handle.write(buffer, 0, buffer.length);
        await handle.datasync();
      } catch (error) {
        throw new EmbeddingCacheError(`cannot append ${entries.length} records to ${path}`, { source: 'embedding-cache', cause: error });
      }
      entries.forEach((entry, position) => {
        index.set(Buffer.from(entry.key.buffer, entry.key.byteOffset, entry.key.byteLength).toString('hex'), fileSize + position * recordBytes);
      });
      fileSize += buffer.length;
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

function verifyRecord(bytes: Buffer, dimension: number): boolean {
  if (bytes.readUInt32LE(0) !== RECORD_MAGIC) return false;
  if (bytes.readUInt32LE(4 + KEY_BYTES) !== dimension) return false;
  return crc32(bytes.subarray(0, bytes.length - 4)) === bytes.readUInt32LE(bytes.length - 4);
}
