import { parameterLayout } from '@pal/core';
import { DifferentiableGraph } from '../graph/differentiable-graph.js';
import { GraphBuilder, type Dimension } from '../graph/graph-builder.js';
import { TRAINING_OPSET_VERSION, encodeModel } from '../onnx/encode-model.js';
import type { OnnxElementType } from '../onnx/onnx-proto.js';
import { MomentInputs, Outputs, emitTrainStep, type SessionGraph, type TrainGraphOptions } from './session-graphs.js';

/** Input names of the multi-step graph beyond parameters and moments. */
export const StackedInputs = {
  /** Trip count: how many steps this run takes. */
  steps: 'steps',
  /** Per-step inputs concatenated along their first axis (scalars become one value per step). */
  stacked: (name: string) => `stacked.${name}`,
  /** Row offsets of each step in a stacked dimension, one more entry than steps. */
  offsets: (dimension: string) => `offsets.${dimension}`,
} as const;

/** A multi-step graph and what its caller must stack. */
export interface MultiStepGraph extends SessionGraph {
  /** Per-step inputs with a first axis along `dimension`, to be concatenated over the steps. */
  stackedRows: { name: string; dimension: string }[];
  /** Per-step scalar inputs, to be fed as one value per step. */
  stackedScalars: string[];
}

/**
 * Several training steps in one `session.run`: an ONNX Loop whose body is the training step, carrying the
 * trainable parameters and their Adam moments from step to step and reading each step's slice of the
 * stacked minibatches. ONNX Runtime copies every output back into JS memory, so this pays that copy once
 * per run instead of once per step; frozen parameters are read from the enclosing graph.
 */
export function buildMultiStepTrainGraph(options: TrainGraphOptions): MultiStepGraph {
  const outer = new GraphBuilder('pal_train_steps');
  const body = outer.subgraph('pal_train_step_body');
  const iteration = body.input('loop.iteration', 'int64', []);
  const condition = body.input('loop.condition', 'bool', []);
  const parameterNames = new Set(parameterLayout(options.definition, options.numUsers).map((info) => info.name));
  const carried = new Map<string, string>();
  const carriedNames: string[] = [];
  for (const info of options.trainable) {
    for (const name of [info.name, MomentInputs.m(info.name), MomentInputs.v(info.name)]) {
      carried.set(name, body.input(`carried.${name}`, 'float', info.shape));
      carriedNames.push(name);
    }
  }
  const stackedRows: MultiStepGraph['stackedRows'] = [];
  const stackedScalars: string[] = [];
  const bounds = new Map<string, { start: string; end: string }>();
  const position = body.op('Unsqueeze', [iteration, body.int64s([0])]);
  const nextPosition = body.op('Add', [position, body.int64s([1])]);
  const stepBounds = (dimension: string) => {
    let found = bounds.get(dimension);
    if (!found) {
      const offsets = outer.input(StackedInputs.offsets(dimension), 'int64', ['offsets']);
      found = { start: body.op('Gather', [offsets, position], { axis: 0 }), end: body.op('Gather', [offsets, nextPosition], { axis: 0 }) };
      bounds.set(dimension, found);
    }
    return found;
  };
  const resolveInput = (name: string, type: OnnxElementType, shape: Dimension[]): string | undefined => {
    if (carried.has(name)) return carried.get(name);
    // Frozen parameters are inputs of the enclosing graph, which the body reads by name.
    if (parameterNames.has(name)) return outer.input(name, type, shape);
    if (shape.length === 0) {
      stackedScalars.push(name);
      return body.op('Gather', [outer.input(StackedInputs.stacked(name), 'float', ['steps']), iteration], { axis: 0 });
    }
    const dimension = shape[0];
    if (typeof dimension !== 'string') throw new Error(`internal: stacked input ${name} needs a symbolic first dimension`);
    stackedRows.push({ name, dimension });
    const { start, end } = stepBounds(dimension);
    return body.op('Slice', [outer.input(StackedInputs.stacked(name), type, [`stacked.${dimension}`, ...shape.slice(1)]), start, end, body.int64s([0])]);
  };
  const step = emitTrainStep(new DifferentiableGraph(body, resolveInput, TRAINING_OPSET_VERSION), options);
  body.output(body.op('Identity', [condition]), 'loop.condition.next', 'bool', []);
  const nextByName = new Map<string, string>();
  for (const update of step.updates) {
    nextByName.set(update.info.name, update.parameter);
    nextByName.set(MomentInputs.m(update.info.name), update.m);
    nextByName.set(MomentInputs.v(update.info.name), update.v);
  }
  for (const name of carriedNames) body.output(nextByName.get(name)!, `carried.next.${name}`, 'float');
  body.output(body.op('Unsqueeze', [step.loss, body.int64s([0])]), 'loop.loss', 'float', [1]);

  const steps = outer.input(StackedInputs.steps, 'int64', []);
  const initial = carriedNames.map((name) => {
    const info = options.trainable.find((candidate) => name === candidate.name || name === MomentInputs.m(candidate.name) || name === MomentInputs.v(candidate.name))!;
    return outer.input(name, 'float', info.shape);
  });
  const loopOutputs = outer.node('Loop', [steps, '', ...initial], carriedNames.length + 1, { body: { kind: 'graph', value: body } });
  for (const info of options.trainable) {
    outer.output(loopOutputs[carriedNames.indexOf(info.name)]!, Outputs.parameter(info.name), 'float', info.shape);
    outer.output(loopOutputs[carriedNames.indexOf(MomentInputs.m(info.name))]!, Outputs.m(info.name), 'float', info.shape);
    outer.output(loopOutputs[carriedNames.indexOf(MomentInputs.v(info.name))]!, Outputs.v(info.name), 'float', info.shape);
  }
  outer.output(loopOutputs[carriedNames.length]!, Outputs.losses, 'float', ['steps', 1]);
  return { bytes: encodeModel(outer, { opset: TRAINING_OPSET_VERSION }), masks: step.masks, stackedRows, stackedScalars };
}
