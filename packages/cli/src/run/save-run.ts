import { mkdir } from 'node:fs/promises';
import { atomicWriteFile } from '@pal/core';
import { parseReportData, writeReport, type ReportDataInput } from '@pal/eval';
import { runPaths } from './pipeline.js';

/** Writes a run's results.json, the report's data (so `pal report` can re-render it) and report.html. */
export async function saveRunOutputs(directory: string, results: unknown, report: ReportDataInput): Promise<{ results: string; report: string }> {
  const paths = runPaths(directory);
  await mkdir(directory, { recursive: true });
  await atomicWriteFile(paths.results, `${JSON.stringify(results, null, 2)}\n`);
  await atomicWriteFile(paths.reportData, `${JSON.stringify(parseReportData(report))}\n`);
  await writeReport(paths.report, report);
  return { results: paths.results, report: paths.report };
}
