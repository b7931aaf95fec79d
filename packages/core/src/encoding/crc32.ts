import * as zlib from 'node:zlib';

/** CRC-32 (IEEE 802.3, the zip / PNG polynomial) lookup table, for Node versions without `zlib.crc32`. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let value = byte;
    for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
    table[byte] = value >>> 0;
  }
  return table;
})();

/** CRC-32 in plain TypeScript; `zlib.crc32` only exists from Node 20.15. */
export function crc32Portable(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) crc = TABLE[(crc ^ bytes[index]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** CRC-32 of `bytes`, the checksum that closes every embedding-cache record (native when Node has it). */
export const crc32: (bytes: Uint8Array) => number = native ? (bytes) => native(bytes) >>> 0 : crc32Portable;
