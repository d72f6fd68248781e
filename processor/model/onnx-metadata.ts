/**
 * Reading what an ONNX file says about itself without a protobuf library.
 *
 * onnxruntime-node exposes input/output names, types and shapes but not the
 * model's `metadata_props` (where our training script records the task,
 * feature columns, classes and positive label), so the few top-level fields
 * of ModelProto we need are decoded here. Protobuf wire format: each field is
 * a varint key (field number << 3 | wire type) followed by a varint (type 0),
 * 8 bytes (type 1), a varint length + bytes (type 2) or 4 bytes (type 5).
 * Reference: onnx/onnx.proto (ModelProto: ir_version = 1, producer_name = 2,
 * graph = 7, metadata_props = 14 of StringStringEntryProto {key = 1, value = 2}).
 */

export interface OnnxFileInfo {
  readonly irVersion: number;
  readonly producerName: string;
  /** metadata_props, in file order (a repeated key keeps its last value). */
  readonly metadata: ReadonlyMap<string, string>;
}

const MODEL_IR_VERSION = 1;
const MODEL_PRODUCER_NAME = 2;
const MODEL_GRAPH = 7;
const MODEL_METADATA_PROPS = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

interface Field {
  readonly number: number;
  readonly wireType: number;
  /** Varint value (wire type 0). */
  readonly varint: number;
  /** Payload (wire type 2). */
  readonly bytes: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes the top-level fields of one protobuf message; throws on malformed input. */
function* fieldsOf(message: Uint8Array): Generator<Field> {
  let offset = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (offset >= message.length) throw new Error(`truncated varint at byte ${offset}`);
      const byte = message[offset++]!;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error(`varint longer than 10 bytes at byte ${offset}`);
  };
  const skip = (count: number): void => {
    if (count > message.length - offset) throw new Error(`field runs past the end (byte ${offset} + ${count})`);
    offset += count;
  };
  while (offset < message.length) {
    const key = readVarint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    if (number === 0) throw new Error(`field number 0 at byte ${offset}`);
    if (wireType === 0) {
      yield { number, wireType, varint: readVarint(), bytes: new Uint8Array(0) };
    } else if (wireType === 1) {
      skip(8);
    } else if (wireType === 2) {
      const length = readVarint();
      const start = offset;
      skip(length);
      yield { number, wireType, varint: 0, bytes: message.subarray(start, start + length) };
    } else if (wireType === 5) {
      skip(4);
    } else {
      throw new Error(`unsupported wire type ${wireType} at byte ${offset}`);
    }
  }
}

function metadataEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  for (const field of fieldsOf(bytes)) {
    if (field.wireType !== 2) continue;
    if (field.number === ENTRY_KEY) key = utf8.decode(field.bytes);
    else if (field.number === ENTRY_VALUE) value = utf8.decode(field.bytes);
  }
  return [key, value];
}

/**
 * The ir_version, producer and metadata_props of a serialized ModelProto.
 * Throws "<source> is not an ONNX model: …" when the bytes are not one
 * (not protobuf, or no ir_version / graph).
 */
export function readOnnxFileInfo(bytes: Uint8Array, source: string): OnnxFileInfo {
  let irVersion = 0;
  let producerName = '';
  let hasGraph = false;
  const metadata = new Map<string, string>();
  try {
    for (const field of fieldsOf(bytes)) {
      if (field.number === MODEL_IR_VERSION && field.wireType === 0) irVersion = field.varint;
      else if (field.number === MODEL_PRODUCER_NAME && field.wireType === 2) producerName = utf8.decode(field.bytes);
      else if (field.number === MODEL_GRAPH && field.wireType === 2) hasGraph = true;
      else if (field.number === MODEL_METADATA_PROPS && field.wireType === 2) {
        const [key, value] = metadataEntry(field.bytes);
        metadata.set(key, value);
      }
    }
  } catch (error) {
    throw new Error(`${source} is not an ONNX model: ${(error as Error).message}`);
  }
  if (irVersion <= 0 || !hasGraph) {
    const missing = [irVersion <= 0 ? 'ir_version' : '', hasGraph ? '' : 'graph'].filter(Boolean).join(' and ');
    throw new Error(`${source} is not an ONNX model: no ${missing} in it`);
  }
  return { irVersion, producerName, metadata };
}
