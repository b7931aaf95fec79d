export { runCli, exitCodeOf, CLI_VERSION } from './cli.js';
export { UsageError, EXIT_OK, EXIT_RUNTIME_ERROR, EXIT_USAGE_ERROR } from './cli-errors.js';
export { cliConfigSchema, hashingEncoderConfigSchema, modelConfigSchema, backendNames, encoderNames, datasetNames, type CliConfig, type CliConfigInput } from './config/config-schema.js';
export { readConfigFile, mergeConfig, validateConfig, resolveConfig, checkConfigSection, type ConfigObject } from './config/load-config.js';
export { resolveBackend, loadBackend, AUTO_BACKEND_ORDER, type ResolvedBackend, type ConcreteBackendName } from './plugins/backends.js';
export { Output, processIo, formatDuration, type CliIo, type ProgressHandle } from './output/output.js';
export { QUICKSTART_PRESET, QUICKSTART_SMALL } from './commands/quickstart.js';
