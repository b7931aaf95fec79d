import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicWriteFile } from '@pal/core';

/** Writes a bookkeeping file with core's `atomicWriteFile`, creating its folder first. */
export async function writeFileAtomically(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await atomicWriteFile(path, content);
}
