import type { Command } from 'commander';
import { formatDuration, type Output } from '../output/output.js';
import { UsageError } from '../cli-errors.js';
import { resolveConfig } from '../config/load-config.js';
import { openContext } from '../run/open-context.js';
import { runDirectory } from '../run/pipeline.js';
import { saveRunOutputs } from '../run/save-run.js';
import { panelChart, panelMarkdown, panelTable, type ReproPanel } from '../repro/repro-panel.js';
import { reproIdealPoints } from '../repro/repro-ideal-points.js';
import { reproPersonas } from '../repro/repro-personas.js';
import { reproSynthetic, type ReproScale } from '../repro/repro-synthetic.js';
import type { ReportSection } from '@pal/eval';
import type { RunContext } from '../run/pipeline.js';
import { addOutputOptions, type CommonOptions } from './common-options.js';

/** Experiments `pal repro` knows. */
export const reproExperiments = ['synthetic', 'ideal-points', 'personas', 'personas-pal-a'] as const;
type ReproExperiment = (typeof reproExperiments)[number];

/** What one experiment reproduces, and how it runs. */
const experiments: Record<ReproExperiment, { title: string; run: (context: RunContext, scale: ReproScale, output: Output) => Promise<{ panels: ReproPanel[]; charts?: ReportSection[]; settings: Record<string, unknown> }> }> = {
  synthetic: { title: 'synthetic data (paper Figure 5 b-d)', run: (context, scale, output) => reproSynthetic(context.backend.backend, scale, output) },
  'ideal-points': { title: 'learned ideal points in 2-D (paper Figures 5a, D.1)', run: (context, scale, output) => reproIdealPoints(context.backend.backend, scale, output) },
  personas: { title: 'Personas, PAL-B (paper Figure D.6 a-d)', run: (context, scale, output) => reproPersonas(context, scale, output, 'pal-b') },
  'personas-pal-a': { title: 'Personas, PAL-A (paper Figure D.5 a-c)', run: (context, scale, output) => reproPersonas(context, scale, output, 'pal-a') },
};

interface ReproOptions extends CommonOptions {
  scale?: string;
}

/** `pal repro <experiment>`: reruns a figure of the paper at a scale this machine manages, with a table and a report. */
async function runRepro(experiment: string, options: ReproOptions, output: Output): Promise<void> {
  if (!(reproExperiments as readonly string[]).includes(experiment)) {
    throw new UsageError(`unknown experiment "${experiment}": expected one of ${reproExperiments.join(', ')}`, { source: 'cli' });
  }
  const scale = (options.scale ?? 'default') as ReproScale;
  if (scale !== 'default' && scale !== 'small') throw new UsageError(`--scale: expected default or small, found "${options.scale}"`, { source: 'cli' });
  const started = Date.now();
  const config = await resolveConfig({ file: options.config, flags: { backend: options.backend, name: options.name ?? `repro-${experiment}${scale === 'small' ? '-small' : ''}`, runsDirectory: options.runsDir, cacheDirectory: options.cacheDir } });
  const context = await openContext(config, output);
  const { title, run } = experiments[experiment as ReproExperiment];
  const { panels, charts = [], settings } = await run(context, scale, output);
  const totalMs = Date.now() - started;
  const directory = runDirectory(config);
  const results = { experiment, scale, backend: context.backend.name, totalMs, settings, panels };
  const saved = await saveRunOutputs(directory, results, {
    title: `PAL reproduction: ${title}`,
    subtitle: `scale ${scale}, ${context.backend.name} backend, ${formatDuration(totalMs)}`,
    summary: [{ label: 'backend', value: context.backend.name }, { label: 'time', value: formatDuration(totalMs) }],
    sections: [...charts, ...panels.map(panelChart), ...panels.map(panelTable)],
    details: [{ label: 'settings', value: JSON.stringify(settings) }],
  });
  output.result(
    { ...results, reportPath: saved.report, resultsPath: saved.results },
    [...panels.map((panel) => `${panel.figure}: ${panel.title}\n${panelMarkdown(panel)}\n`), `time: ${formatDuration(totalMs)} on ${context.backend.name}`, `report: ${saved.report}`].join('\n'),
  );
}

/** Registers `pal repro`. */
export function registerRepro(program: Command, run: (work: (output: Output) => Promise<void>, options: CommonOptions) => Promise<void>): void {
  addOutputOptions(program.command('repro').argument('<experiment>', `one of ${reproExperiments.join(', ')}`).description('reproduce the paper\'s synthetic (Figure 5), ideal-point (Figure D.1) or Personas (Figures D.5, D.6) results at a scale that runs in minutes'))
    .option('--scale <scale>', 'default or small (seconds, for tests)')
    .option('-c, --config <file>', 'config file (backend, cache and runs folders)')
    .option('--backend <name>', 'compute backend: auto, onnx, tfjs or reference')
    .option('--name <run>', 'run name (default: repro-<experiment>)')
    .option('--runs-dir <dir>', 'folder of runs (default: runs)')
    .option('--cache-dir <dir>', 'embedding cache folder (default: .pal-cache)')
    .action(async (experiment: string, options: ReproOptions) => run((output) => runRepro(experiment, options, output), options));
}
