import cliProgress from 'cli-progress';

/** Where the CLI writes: injectable so tests run commands in-process and read what they printed. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is an interactive terminal (progress bars are drawn only then). */
  isTty: boolean;
  /** The stream progress bars draw on, when interactive. */
  progressStream?: NodeJS.WritableStream;
  /** Stops training and localisation between steps (Ctrl-C in a terminal). */
  signal?: AbortSignal;
}

/** The process's own streams; the first Ctrl-C aborts the running work cleanly, a second one exits at once. */
export function processIo(): CliIo {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error('interrupted (Ctrl-C)'));
    process.once('SIGINT', () => process.exit(130));
  });
  return {
    signal: controller.signal,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTty: Boolean(process.stderr.isTTY),
    progressStream: process.stderr,
  };
}

/** A progress bar handle; a no-op when bars are off. */
export interface ProgressHandle {
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * The CLI's output: results to stdout (one JSON document with `--json`), human-readable progress and
 * notes to stderr. Progress bars are drawn only on an interactive terminal and never with `--json`.
 */
export class Output {
  constructor(
    readonly io: CliIo,
    readonly options: { json: boolean; debug: boolean },
  ) {}

  /** A note for people (stderr; silent with --json). */
  info(message: string): void {
    if (!this.options.json) this.io.stderr(`${message}\n`);
  }

  /** Prints the command's result: the JSON document with --json, else the human-readable text. */
  result(json: unknown, text: string): void {
    if (this.options.json) this.io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    else this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Runs `work`, noting its start and duration. */
  async task<T>(label: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.info(`${label} ...`);
    const value = await work();
    this.info(`${label}: done in ${formatDuration(Date.now() - started)}`);
    return value;
  }

  /** A progress bar for long work (a terminal bar when interactive, otherwise start and end lines). */
  progress(label: string, total?: number): ProgressHandle {
    const started = Date.now();
    if (this.options.json || !this.io.isTty || !this.io.progressStream) {
      this.info(`${label} ...`);
      return { update: () => undefined, stop: () => this.info(`${label}: done in ${formatDuration(Date.now() - started)}`) };
    }
    const bar = new cliProgress.SingleBar(
      { format: `${label.padEnd(28)} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`, stream: this.io.progressStream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total ?? 1, 0);
    let stopped = false;
    return {
      update: (done, newTotal) => {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        bar.update(done);
      },
      stop: () => {
        if (!stopped) bar.stop();
        stopped = true;
      },
    };
  }
}

/** Milliseconds as "850 ms", "12.3 s" or "2 min 05 s". */
export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${(milliseconds / 1000).toFixed(1)} s`;
  const seconds = Math.round(milliseconds / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}
