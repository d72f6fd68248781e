/**
 * Why a new schema is not BACKWARD compatible with the registered one, field
 * by field. Registries say it in their own words (Confluent and Apicurio
 * point at "/fields/3/type", an index), so the producer's error names the
 * fields itself: BACKWARD means a reader on the new schema must read data
 * written with the old one — each new field must either resolve from the old
 * field of that name (avsc's resolver: same type, a promotion such as
 * int → double, compatible unions) or, if the old schema lacks it, have a
 * default.
 */
import avro from 'avsc';

export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** Top-level fields of `newer` that a reader on it cannot read from data written with `older`. */
export function backwardProblems(newer: avro.Type, older: avro.Type): FieldProblem[] {
  if (!(newer instanceof avro.types.RecordType) || !(older instanceof avro.types.RecordType)) {
    try {
      newer.createResolver(older);
      return [];
    } catch (error) {
      return [{ field: '(whole record)', problem: (error as Error).message }];
    }
  }
  const problems: FieldProblem[] = [];
  for (const field of newer.fields) {
    const before = older.field(field.name);
    if (!before) {
      if (field.defaultValue() === undefined) problems.push({ field: field.name, problem: 'added without a default' });
      continue;
    }
    try {
      field.type.createResolver(before.type);
    } catch {
      problems.push({ field: field.name, problem: `type changed from ${describeType(before.type)} to ${describeType(field.type)}` });
    }
  }
  return problems;
}

export function formatProblems(problems: readonly FieldProblem[]): string {
  return problems.map(({ field, problem }) => `field "${field}" ${problem}`).join('; ');
}

function describeType(type: avro.Type): string {
  return JSON.stringify(type.schema());
}
