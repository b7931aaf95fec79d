import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const temporaryFilePattern = /^\..+\.\d+-[0-9a-f]{12}\.tmp$/;

/** True for the temporary files `atomicWriteFile` leaves behind when its process dies mid-write. */
export function isAtomicWriteTemporaryFile(fileName: string): boolean {
  return temporaryFilePattern.test(fileName);
}

/**
 * Flushes a directory's entries (renames, creations, deletions) to disk. Platforms that cannot open a
 * directory for syncing (Windows) make it a no-op; their rename is already durable enough there.
 */
export async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
  } catch (error) {
    if (isUnsupportedDirectorySync(error)) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isUnsupportedDirectorySync(error)) throw error;
  } finally {
    await handle.close();
  }
}

function isUnsupportedDirectorySync(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'ENOTSUP';
}

/**
 * Replaces `path` with `bytes` so that readers (and a crash at any moment) see either the old file or
 * the complete new one: writes a uniquely named temporary file in the same directory, fsyncs it,
 * renames it over `path`, then fsyncs the directory so the rename itself survives a power loss.
 */
export async function atomicWriteFile(path: string, bytes: Uint8Array | string): Promise<void> {
  const directory = dirname(path);
  const temporaryPath = join(directory, `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporaryPath, 'wx');
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporaryPath, path);
  } catch (error) {
    await unlink(temporaryPath).catch(() => undefined);
    throw error;
  }
  await syncDirectory(directory);
}
