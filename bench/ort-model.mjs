// The ONNX model of the onnxruntime-web peer, built at run time: one SoftmaxCrossEntropyLoss node
// (ai.onnx opset 13, reduction "mean", ignore_index −100, no weights) from `scores` float32 [N, V]
// and `labels` int64 [N] (N and V symbolic) to the scalar float32 `loss`. That is PyTorch's
// F.cross_entropy(scores, labels, ignore_index=-100) at label smoothing 0: the mean over the
// rows whose label is not −100. ONNX has no label smoothing.
//
// The bytes come from the small protobuf writer below, written against onnx/onnx.proto3; no
// Python and no protobuf library. Field numbers used (wire type: 0 varint, 2 length-delimited):
//   ModelProto          1 ir_version (int64)  2 producer_name (string)  7 graph (GraphProto)
//                       8 opset_import (OperatorSetIdProto, repeated)
//   OperatorSetIdProto  1 domain (string, "" = ai.onnx)  2 version (int64)
//   GraphProto          1 node (NodeProto, repeated)  2 name (string)
//                       11 input, 12 output (ValueInfoProto, repeated)
//   NodeProto           1 input, 2 output (string, repeated)  3 name  4 op_type (string)
//                       5 attribute (AttributeProto, repeated)
//   AttributeProto      1 name (string)  3 i (int64)  4 s (bytes)
//                       20 type (AttributeType enum: INT = 2, STRING = 3)
//   ValueInfoProto      1 name (string)  2 type (TypeProto)
//   TypeProto           1 tensor_type (TypeProto.Tensor)
//   TypeProto.Tensor    1 elem_type (TensorProto.DataType enum: FLOAT = 1, INT64 = 7)
//                       2 shape (TensorShapeProto; present and empty = a scalar)
//   TensorShapeProto    1 dim (TensorShapeProto.Dimension, repeated)
//   Dimension           1 dim_value (int64)  2 dim_param (string, a symbolic size)

/** IR version 8 (ONNX 1.10): any runtime reading opset 13 reads it. */
const IR_VERSION = 8;
const OPSET = 13;
const FLOAT = 1;
const INT64 = 7;
const ATTR_INT = 2;
const ATTR_STRING = 3;

const utf8 = new TextEncoder();

/**
 * A protobuf message under construction: fields appended in order, nested messages as their
 * bytes. Integers are written as int64 varints (negative ones in ten bytes, as protobuf does).
 */
class Message {
  /** @type {number[]} */
  bytes = [];

  /** @param {number | bigint} value */
  varint(value) {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  /** @param {number} field @param {number} wire */
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }

  /** A varint field (int64, int32, enum). @param {number} field @param {number | bigint} value */
  int(field, value) {
    return this.tag(field, 0).varint(value);
  }

  /** A length-delimited field: bytes, a string, or a nested message. @param {number} field @param {Uint8Array | number[] | string | Message} value */
  len(field, value) {
    const body = value instanceof Message ? value.bytes : typeof value === "string" ? utf8.encode(value) : value;
    this.tag(field, 2).varint(body.length);
    for (const b of body) this.bytes.push(b);
    return this;
  }

  finish() {
    return Uint8Array.from(this.bytes);
  }
}

/** A tensor ValueInfoProto: `dims` are sizes (numbers) or symbolic names (strings); [] is a scalar. */
/** @param {string} name @param {number} elemType @param {(number | string)[]} dims */
function tensorValueInfo(name, elemType, dims) {
  const shape = new Message();
  for (const d of dims) shape.len(1, typeof d === "number" ? new Message().int(1, d) : new Message().len(2, d));
  const tensor = new Message().int(1, elemType).len(2, shape);
  return new Message().len(1, name).len(2, new Message().len(1, tensor));
}

/**
 * The model's bytes (an onnx ModelProto).
 * @param {{ ignoreIndex?: number, reduction?: "mean" | "sum" | "none" }} [options]
 */
export function softmaxCrossEntropyModel({ ignoreIndex = -100, reduction = "mean" } = {}) {
  const node = new Message()
    .len(1, "scores")
    .len(1, "labels")
    .len(2, "loss")
    .len(3, "cross_entropy")
    .len(4, "SoftmaxCrossEntropyLoss")
    .len(5, new Message().len(1, "reduction").len(4, reduction).int(20, ATTR_STRING))
    .len(5, new Message().len(1, "ignore_index").int(3, ignoreIndex).int(20, ATTR_INT));
  const graph = new Message()
    .len(1, node)
    .len(2, "losslab_bench_cross_entropy")
    .len(11, tensorValueInfo("scores", FLOAT, ["N", "V"]))
    .len(11, tensorValueInfo("labels", INT64, ["N"]))
    .len(12, tensorValueInfo("loss", FLOAT, reduction === "none" ? ["N"] : []));
  return new Message()
    .int(1, IR_VERSION)
    .len(2, "losslab-bench")
    .len(7, graph)
    .len(8, new Message().len(1, "").int(2, OPSET))
    .finish();
}
