import { randomBytes } from 'node:crypto';
import { access, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodableInput } from '@pal/core';

/** Turns image bytes into the encodable input an encoder reads: in memory, or a file written once per image id. */
export interface ImageStore {
  toInput(id: string, bytes: Uint8Array): Promise<EncodableInput>;
}

function fileNameOf(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.jpg`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `bytes`: `{ kind: 'image', bytes, id }`. `files`: the JPEG is written to `<directory>/<id>.jpg` (through a
 * temporary file and a rename, skipped when the file exists) and the input is `{ kind: 'image', path, id }`.
 */
export function createImageStore(mode: 'bytes' | 'files', directory: string): ImageStore {
  // Parquet readers and sharp hand out views of plain ArrayBuffers, never of SharedArrayBuffers.
  if (mode === 'bytes') return { toInput: async (id, bytes) => ({ kind: 'image', bytes: bytes as Uint8Array<ArrayBuffer>, id }) };
  let prepared: Promise<unknown> | undefined;
  return {
    async toInput(id, bytes) {
      prepared ??= mkdir(directory, { recursive: true });
      await prepared;
      const path = join(directory, fileNameOf(id));
      if (!(await exists(path))) {
        const temporaryPath = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFile(temporaryPath, bytes);
          await rename(temporaryPath, path);
        } catch (error) {
          await unlink(temporaryPath).catch(() => undefined);
          throw error;
        }
      }
      return { kind: 'image', path, id };
    },
  };
}
