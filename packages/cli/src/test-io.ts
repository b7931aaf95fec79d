import type { CliIo } from './output/output.js';

/** Captures what a command prints, for in-process tests. */
export function captureIo(): CliIo & { out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isTty: false,
    out: () => stdout,
    err: () => stderr,
  };
}
