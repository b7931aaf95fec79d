import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { atomicWriteFile } from '@pal/core';
import { renderReport } from './render-report.js';
import type { ReportDataInput } from './report-data.js';

/** Renders `data` and writes it to `path` atomically (temporary file, then rename); returns the absolute path. */
export async function writeReport(path: string, data: ReportDataInput): Promise<string> {
  const html = renderReport(data);
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  await atomicWriteFile(target, html);
  return target;
}
