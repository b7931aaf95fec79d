import { describe, expect, it } from 'vitest';
import { crc32, crc32Portable } from './crc32.js';

describe('crc32', () => {
  it('should give the standard check value of "123456789" on both implementations', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(crc32Portable(bytes)).toBe(0xcbf43926);
  });

  it('should agree between the native and portable implementations on arbitrary bytes', () => {
    const bytes = Uint8Array.from({ length: 4099 }, (_, index) => (index * 131 + 7) & 0xff);
    expect(crc32Portable(bytes)).toBe(crc32(bytes));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
