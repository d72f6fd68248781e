/**
 * Several processed files replayed as one stream: their rows one after the
 * other (the replay then sorts by event time). Every file must have the same
 * columns with the same kinds; a mismatch names the file and the column.
 */
import type { Column, Frame } from '../../processor/frame.js';

export interface NamedFrame {
  readonly source: string;
  readonly frame: Frame;
}

export function concatFrames(parts: readonly NamedFrame[]): Frame {
  if (parts.length === 0) throw new Error('no input files');
  if (parts.length === 1) return parts[0]!.frame;
  const first = parts[0]!;
  const names = [...first.frame.columns.keys()];
  for (const part of parts.slice(1)) {
    for (const name of names) {
      const column = part.frame.columns.get(name);
      if (!column) throw new Error(`column "${name}" (in ${first.source}) not found in ${part.source}`);
      const kind = first.frame.columns.get(name)!.kind;
      if (column.kind !== kind) throw new Error(`column "${name}" is ${column.kind} in ${part.source} but ${kind} in ${first.source}`);
    }
  }
  const rowCount = parts.reduce((sum, part) => sum + part.frame.rowCount, 0);
  const columns = new Map<string, Column>();
  for (const name of names) {
    const pieces = parts.map((part) => part.frame.columns.get(name)!);
    columns.set(name, concatColumns(pieces, rowCount));
  }
  return { rowCount, columns };
}

function concatColumns(pieces: readonly Column[], rowCount: number): Column {
  const kind = pieces[0]!.kind;
  if (kind === 'string') {
    const values: (string | null)[] = [];
    for (const piece of pieces) for (const value of piece.values as (string | null)[]) values.push(value);
    return { kind, values };
  }
  const values = new Float64Array(rowCount);
  let at = 0;
  for (const piece of pieces) {
    values.set(piece.values as Float64Array, at);
    at += piece.values.length;
  }
  return { kind, values };
}
