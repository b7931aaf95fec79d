import { OnnxAttributeType, OnnxDataType, type OnnxElementType } from '../onnx/onnx-proto.js';

/** A tensor dimension: a fixed size or a named symbolic size such as `comparisons`. */
export type Dimension = number | string;

/** An attribute value of a node; graphs are nested bodies (Loop), typed arrays become tensors. */
export type AttributeValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'ints'; value: number[] }
  | { kind: 'floats'; value: number[] }
  | { kind: 'string'; value: string }
  | { kind: 'graph'; value: GraphBuilder };

/** Shorthand attributes: integers and integer lists by default, strings as strings. */
export type AttributeInput = number | number[] | string | AttributeValue;

interface NodeRecord {
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, AttributeValue>;
}

interface ValueInfo {
  name: string;
  type: OnnxElementType;
  shape: Dimension[] | undefined;
}

interface InitializerRecord {
  name: string;
  type: OnnxElementType;
  dims: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;
}

/** Shared by a graph and its nested bodies so that every value name is unique across scopes. */
class NameSource {
  private counter = 0;
  next(hint: string): string {
    this.counter += 1;
    return `${hint}_${this.counter}`;
  }
}

/**
 * Builds one ONNX graph: declared inputs and outputs, nodes in topological order and constant
 * initializers. Values are named strings; `op` appends a node and returns its fresh output name.
 * Nested graphs (Loop bodies) come from `subgraph` and may read any value of the enclosing graph.
 */
export class GraphBuilder {
  private readonly nodes: NodeRecord[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: InitializerRecord[] = [];
  private readonly constantCache = new Map<string, string>();
  /** Node outputs renamed to graph output names (saves an Identity copy per output); shared by nested graphs. */
  private readonly renames: Map<string, string>;

  constructor(
    readonly name: string,
    private readonly names: NameSource = new NameSource(),
    private readonly parent?: GraphBuilder,
  ) {
    this.renames = parent ? parent.renames : new Map();
  }

  /** A nested graph (e.g. a Loop body) sharing this graph's name space. */
  subgraph(name: string): GraphBuilder {
    return new GraphBuilder(name, this.names, this);
  }

  /** A fresh, unused value name. */
  fresh(hint = 'value'): string {
    return this.names.next(hint);
  }

  /** Declares a graph input. */
  input(name: string, type: OnnxElementType, shape: Dimension[] | undefined): string {
    this.inputs.push({ name, type, shape });
    return name;
  }

  /**
   * Declares `value` as a graph output named `name`. A value computed by a node of this graph is renamed
   * in place; inputs, initializers and values already exported go through an Identity node (a copy).
   */
  output(value: string, name: string, type: OnnxElementType, shape?: Dimension[]): void {
    const producedHere = this.nodes.some((node) => node.outputs.includes(value));
    if (value !== name && producedHere && !this.renames.has(value)) {
      this.renames.set(value, name);
    } else if (value !== name) {
      this.nodes.push({ opType: 'Identity', domain: '', inputs: [this.renames.get(value) ?? value], outputs: [name], attributes: {} });
    }
    this.outputs.push({ name, type, shape });
  }

  /** The outputs of each node of this graph that reads `value`, one list per node. */
  readersOf(value: string): string[][] {
    return this.nodes.filter((node) => node.inputs.includes(value)).map((node) => node.outputs);
  }

  /** `target` and every value it is computed from through this graph's nodes. */
  ancestorsOf(target: string): Set<string> {
    const producers = new Map<string, NodeRecord>();
    for (const node of this.nodes) for (const output of node.outputs) producers.set(output, node);
    const seen = new Set<string>([target]);
    const pending = [target];
    while (pending.length > 0) {
      const node = producers.get(pending.pop()!);
      for (const input of node?.inputs ?? []) {
        if (input === '' || seen.has(input)) continue;
        seen.add(input);
        pending.push(input);
      }
    }
    return seen;
  }

  /** Appends a node with one output and returns that output's name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeInput> = {}, domain = ''): string {
    return this.node(opType, inputs, 1, attributes, domain)[0]!;
  }

  /** Appends a node with `outputCount` outputs (empty input names mark omitted optional inputs). */
  node(opType: string, inputs: string[], outputCount: number, attributes: Record<string, AttributeInput> = {}, domain = ''): string[] {
    const hint = opType.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    const outputs = Array.from({ length: outputCount }, () => this.fresh(hint));
    this.nodes.push({ opType, domain, inputs, outputs, attributes: normalizeAttributes(attributes) });
    return outputs;
  }

  /** Appends a node whose output names are chosen by the caller (Loop bodies need fixed names). */
  nodeWithOutputs(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeInput> = {}, domain = ''): void {
    this.nodes.push({ opType, domain, inputs, outputs, attributes: normalizeAttributes(attributes) });
  }

  /** A float32 constant tensor, stored once per graph. */
  constant(values: ArrayLike<number>, dims: number[]): string {
    return this.cachedInitializer('float', Float32Array.from(values), dims);
  }

  /** A float32 scalar (shape []) constant. */
  scalar(value: number): string {
    return this.constant([value], []);
  }

  /** An int64 constant (axes, shapes, indices). */
  int64s(values: number[], dims: number[] = [values.length]): string {
    return this.cachedInitializer('int64', BigInt64Array.from(values.map((value) => BigInt(value))), dims);
  }

  /** A named float32 initializer holding `data` (weights baked into an exported model). */
  initializer(name: string, data: Float32Array, dims: number[]): string {
    this.initializers.push({ name, type: 'float', dims, data });
    return name;
  }

  private cachedInitializer(type: OnnxElementType, data: InitializerRecord['data'], dims: number[]): string {
    const root = this.root();
    const key = `${type}:${dims.join('x')}:${Array.from(data as ArrayLike<number | bigint>).join(',')}`;
    const cached = root.constantCache.get(key);
    if (cached) return cached;
    const name = this.fresh('constant');
    root.initializers.push({ name, type, dims, data });
    root.constantCache.set(key, name);
    return name;
  }

  private root(): GraphBuilder {
    let graph: GraphBuilder = this;
    while (graph.parent) graph = graph.parent;
    return graph;
  }

  /** The graph as a plain object in the shape of `onnx.GraphProto`, ready for protobufjs. */
  toProto(): Record<string, unknown> {
    return {
      name: this.name,
      node: this.nodes.map((node, index) => ({
        name: `${node.opType}_${index}`,
        opType: node.opType,
        domain: node.domain,
        input: node.inputs.map((input) => this.renames.get(input) ?? input),
        output: node.outputs.map((output) => this.renames.get(output) ?? output),
        attribute: Object.entries(node.attributes).map(([name, attribute]) => attributeToProto(name, attribute)),
      })),
      initializer: this.initializers.map(initializerToProto),
      input: this.inputs.map(valueInfoToProto),
      output: this.outputs.map(valueInfoToProto),
    };
  }
}

function normalizeAttributes(attributes: Record<string, AttributeInput>): Record<string, AttributeValue> {
  const normalized: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'number') normalized[name] = { kind: 'int', value };
    else if (typeof value === 'string') normalized[name] = { kind: 'string', value };
    else if (Array.isArray(value)) normalized[name] = { kind: 'ints', value };
    else normalized[name] = value;
  }
  return normalized;
}

function attributeToProto(name: string, attribute: AttributeValue): Record<string, unknown> {
  switch (attribute.kind) {
    case 'int':
      return { name, type: OnnxAttributeType.int, i: attribute.value };
    case 'float':
      return { name, type: OnnxAttributeType.float, f: attribute.value };
    case 'ints':
      return { name, type: OnnxAttributeType.ints, ints: attribute.value };
    case 'floats':
      return { name, type: OnnxAttributeType.floats, floats: attribute.value };
    case 'string':
      return { name, type: OnnxAttributeType.string, s: new TextEncoder().encode(attribute.value) };
    case 'graph':
      return { name, type: OnnxAttributeType.graph, g: attribute.value.toProto() };
  }
}

function initializerToProto(record: InitializerRecord): Record<string, unknown> {
  const bytes = new Uint8Array(record.data.buffer, record.data.byteOffset, record.data.byteLength);
  return { name: record.name, dataType: OnnxDataType[record.type], dims: record.dims, rawData: bytes };
}

function valueInfoToProto(info: ValueInfo): Record<string, unknown> {
  const tensorType: Record<string, unknown> = { elemType: OnnxDataType[info.type] };
  if (info.shape) {
    tensorType.shape = { dim: info.shape.map((dimension) => (typeof dimension === 'number' ? { dimValue: dimension } : { dimParam: dimension })) };
  }
  return { name: info.name, type: { tensorType } };
}
