/**
 * avsc decodes a record into an instance of a class it generates per record
 * type; the JSON codec yields plain objects. Downstream code (decode-batch,
 * the sink, tests comparing records) must not see a difference, so decoded
 * values are rebuilt as plain objects by a converter compiled once per
 * reader schema.
 *
 * A record field carrying `"driftwatch.omitNull": true` is optional in the
 * TypeScript record (e.g. ColumnDriftResult.statistic?): Avro writes it as
 * null, and the converter leaves it out again, so a record survives the round
 * trip unchanged.
 */
import type { AvroSchema } from './avro-schemas.js';

/** null means "the value is already plain": no work for that part of the schema. */
type Converter = ((value: any) => unknown) | null;

export const OMIT_NULL_ATTRIBUTE = 'driftwatch.omitNull';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

/** A function turning a value decoded with `schema` into plain objects and arrays. */
export function plainConverter(schema: AvroSchema): (value: unknown) => unknown {
  const named = new Map<string, () => Converter>();
  const convert = converterOf(schema, '', named);
  return convert ?? ((value) => value);
}

function converterOf(schema: unknown, namespace: string, named: Map<string, () => Converter>): Converter {
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) return null;
    const lookup = named.get(schema) ?? named.get(namespace ? `${namespace}.${schema}` : schema);
    if (!lookup) throw new Error(`Avro schema refers to unknown type "${schema}"`);
    // Late-bound: a record may refer to itself (or to a type defined further up).
    return (value) => {
      const convert = lookup();
      return convert === null ? value : convert(value);
    };
  }
  if (Array.isArray(schema)) return unionConverter(schema, namespace, named);
  const definition = schema as Record<string, unknown>;
  switch (definition.type) {
    case 'record':
    case 'error':
      return recordConverter(definition, namespace, named);
    case 'array': {
      const item = converterOf(definition.items, namespace, named);
      return item === null ? null : (value: unknown[]) => value.map(item);
    }
    case 'map': {
      const item = converterOf(definition.values, namespace, named);
      return item === null ? null : (value: Record<string, unknown>) => {
        const plain: Record<string, unknown> = {};
        for (const key of Object.keys(value)) plain[key] = item(value[key]);
        return plain;
      };
    }
    case 'enum':
    case 'fixed':
      named.set(fullName(definition, namespace), () => null);
      return null;
    default:
      // A primitive, possibly with a logical type (read as the primitive: no handlers installed).
      return converterOf(definition.type, namespace, named);
  }
}

function recordConverter(definition: Record<string, unknown>, namespace: string, named: Map<string, () => Converter>): Converter {
  const name = fullName(definition, namespace);
  const ownNamespace = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
  let compiled: Converter = null;
  named.set(name, () => compiled);
  const fields = (definition.fields as Record<string, unknown>[]).map((field) => ({
    name: field.name as string,
    convert: converterOf(field.type, ownNamespace, named),
    omitNull: field[OMIT_NULL_ATTRIBUTE] === true,
  }));
  compiled = (value: Record<string, unknown>) => {
    const plain: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      const raw = value[field.name];
      if (field.omitNull && raw === null) continue;
      plain[field.name] = field.convert === null || raw === null ? raw : field.convert(raw);
    }
    return plain;
  };
  return compiled;
}

/**
 * Unions are unwrapped (avsc's default for unions it can tell apart), so a
 * value is one of the branches as it is: null passes, and a union with a
 * single complex branch converts through it; several complex branches fall
 * back to a structural copy.
 */
function unionConverter(branches: unknown[], namespace: string, named: Map<string, () => Converter>): Converter {
  const converters = branches.map((branch) => converterOf(branch, namespace, named)).filter((c): c is NonNullable<Converter> => c !== null);
  if (converters.length === 0) return null;
  if (converters.length === 1) {
    const only = converters[0]!;
    return (value) => (value === null || typeof value !== 'object' ? value : only(value));
  }
  return structuralCopy;
}

function structuralCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(structuralCopy);
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(value)) plain[key] = structuralCopy((value as Record<string, unknown>)[key]);
  return plain;
}

function fullName(definition: Record<string, unknown>, namespace: string): string {
  const name = definition.name as string;
  if (name.includes('.')) return name;
  const space = typeof definition.namespace === 'string' ? definition.namespace : namespace;
  return space ? `${space}.${name}` : name;
}
