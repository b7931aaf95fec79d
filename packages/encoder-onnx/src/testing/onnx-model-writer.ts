import protobuf from 'protobufjs';

/**
 * The part of the ONNX protobuf schema (onnx.proto, IR version 8) that small test graphs need:
 * field numbers follow the published schema, messages not used here are left out.
 */
const ONNX_SCHEMA = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
  optional int32 type = 20;
}
message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension {
    optional int64 dim_value = 1;
    optional string dim_param = 2;
  }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  optional Tensor tensor_type = 1;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

/** ONNX element types used by the test graphs. */
export const OnnxDataType = { float: 1, int64: 7 } as const;

/** An attribute value; the key says which ONNX attribute type it is. */
export type OnnxAttribute = { int: number } | { float: number } | { ints: number[] } | { floats: number[] } | { string: string };

const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, floats: 6, ints: 7 } as const;

let modelType: protobuf.Type | undefined;

/** Builds a small ONNX graph node by node and serialises it; used to make test models with random weights. */
export class OnnxModelWriter {
  private readonly nodes: object[] = [];
  private readonly initializers: object[] = [];
  private readonly inputs: object[] = [];
  private readonly outputs: object[] = [];
  private counter = 0;

  constructor(private readonly opset = 17) {}

  /** Declares a graph input; string dimensions are symbolic (batch, sequence). */
  input(name: string, dataType: number, shape: (number | string)[]): string {
    this.inputs.push(valueInfo(name, dataType, shape));
    return name;
  }

  /** Declares a graph output. */
  output(name: string, dataType: number, shape: (number | string)[]): string {
    this.outputs.push(valueInfo(name, dataType, shape));
    return name;
  }

  /** Adds a constant tensor (weights, shapes, scalars when `dims` is empty). */
  constant(name: string, values: Float32Array | BigInt64Array, dims: number[]): string {
    const dataType = values instanceof Float32Array ? OnnxDataType.float : OnnxDataType.int64;
    this.initializers.push({ name, dims, dataType, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return name;
  }

  /** Adds one operator and returns the name of its (first) output. */
  node(opType: string, inputs: string[], attributes: Record<string, OnnxAttribute> = {}, outputName?: string): string {
    const output = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    const attribute = Object.entries(attributes).map(([name, value]) => {
      const [kind, content] = Object.entries(value)[0] as [keyof typeof ATTRIBUTE_TYPE, unknown];
      return { name, type: ATTRIBUTE_TYPE[kind], [kind === 'string' ? 's' : kind === 'int' ? 'i' : kind === 'float' ? 'f' : kind]: kind === 'string' ? new TextEncoder().encode(content as string) : content };
    });
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  }

  /** The serialised ModelProto. */
  toBytes(): Uint8Array {
    modelType ??= protobuf.parse(ONNX_SCHEMA, { keepCase: false }).root.lookupType('onnx.ModelProto');
    const message = modelType.fromObject({
      irVersion: 8,
      producerName: 'pal-encoder-onnx-tests',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: { name: 'graph', node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return modelType.encode(message).finish();
  }
}

function valueInfo(name: string, dataType: number, shape: (number | string)[]): object {
  return {
    name,
    type: { tensorType: { elemType: dataType, shape: { dim: shape.map((dimension) => (typeof dimension === 'number' ? { dimValue: dimension } : { dimParam: dimension })) } } },
  };
}
