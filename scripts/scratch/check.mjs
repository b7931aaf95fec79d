// Shared by the scratch-project scripts (copied next to them): one line per check, exit 1 on the first failure.

/** Prints `ok: message`, or `FAIL: message` and ends the process with exit code 1. */
export function check(condition, message) {
  if (!condition) {
    console.error(`FAIL: ${message}`);
    process.exit(1);
  }
  console.log(`ok: ${message}`);
}
