import { InvalidArgumentError as CommanderInvalidArgument, type Command } from 'commander';
import type { ConfigObject } from '../config/load-config.js';

/** Options every data / model command accepts; flags override the config file. */
export interface CommonOptions {
  config?: string;
  backend?: string;
  encoder?: string;
  dataset?: string;
  name?: string;
  runsDir?: string;
  cacheDir?: string;
  k?: number;
  epochs?: number;
  seed?: number;
  json?: boolean;
  debug?: boolean;
}

/** Commander parser for a positive integer flag value. */
export function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new CommanderInvalidArgument(`expected a positive integer, found "${value}"`);
  return parsed;
}

/** Commander parser for an integer flag value. */
export function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new CommanderInvalidArgument(`expected an integer, found "${value}"`);
  return parsed;
}

/** Commander parser for a comma-separated list of positive integers, e.g. `1,5,20`. */
export function positiveIntegerList(value: string): number[] {
  return value.split(',').map((part) => positiveInteger(part.trim()));
}

/** `--json` and `--debug`, which every command has. */
export function addOutputOptions(command: Command): Command {
  return command.option('--json', 'print one machine-readable JSON document on stdout').option('--debug', 'print stack traces and error causes');
}

/** The options shared by commands that load data, train or evaluate. */
export function addCommonOptions(command: Command): Command {
  return addOutputOptions(
    command
      .option('-c, --config <file>', 'config file (JSON or YAML)')
      .option('--backend <name>', 'compute backend: auto, onnx, tfjs or reference')
      .option('--encoder <name>', 'text encoder: hashing or onnx')
      .option('--dataset <name>', 'dataset: personas, synthetic or files')
      .option('--name <run>', 'run name; outputs go to <runs-dir>/<run>/')
      .option('--runs-dir <dir>', 'folder of runs (default: runs)')
      .option('--cache-dir <dir>', 'embedding cache folder (default: .pal-cache)')
      .option('-k, --k <number>', 'number of prototypes K', positiveInteger)
      .option('--epochs <number>', 'training epochs', positiveInteger)
      .option('--seed <number>', 'training seed', integer),
  );
}

/** The config layer that flags make (undefined entries are dropped by the merge). */
export function flagsToConfig(options: CommonOptions): ConfigObject {
  return {
    backend: options.backend,
    name: options.name,
    runsDirectory: options.runsDir,
    cacheDirectory: options.cacheDir,
    encoder: options.encoder === undefined ? undefined : { kind: options.encoder },
    dataset: options.dataset === undefined ? undefined : { kind: options.dataset },
    model: options.k === undefined ? undefined : { numPrototypes: options.k },
    train: options.epochs === undefined && options.seed === undefined ? undefined : dropUndefined({ epochs: options.epochs, seed: options.seed }),
  };
}

function dropUndefined(object: ConfigObject): ConfigObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}
