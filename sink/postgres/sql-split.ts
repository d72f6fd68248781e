/**
 * Splits a migration file into single statements. Slonik sends every query
 * with the extended protocol, which accepts one statement per query, so a
 * file of several statements has to be cut at its top-level semicolons.
 *
 * A semicolon only ends a statement outside quoted text: '…' strings (with ''
 * escapes, and E'…' backslash escapes), "…" identifiers, $tag$…$tag$ bodies,
 * -- line comments and (nested) block comments. Comments before a statement
 * and comment-only pieces are dropped. Pure function; the text comes from our
 * own migration files.
 */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let hasCode = false;
  let i = 0;
  const n = text.length;
  const flush = (end: number): void => {
    const statement = text.slice(start, end).trim();
    if (hasCode && statement) statements.push(statement);
    hasCode = false;
  };
  /** The first code character of a statement starts it (leading comments are left out). */
  const code = (at: number): void => {
    if (!hasCode) start = at;
    hasCode = true;
  };
  while (i < n) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? n : end + 1;
    } else if (ch === '/' && next === '*') {
      i = skipBlockComment(text, i);
    } else if (ch === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1]!) && !/[\w$]/.test(text[i - 2] ?? ' ');
      code(escapes ? i - 1 : i);
      i = skipQuoted(text, i, "'", escapes);
    } else if (ch === '"') {
      code(i);
      i = skipQuoted(text, i, '"', false);
    } else if (ch === '$' && !/[\w$]/.test(text[i - 1] ?? ' ')) {
      code(i);
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(text.slice(i, i + 64));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        if (close === -1) throw new Error(`unterminated dollar-quoted text ${tag[0]} at offset ${i}`);
        i = close + tag[0].length;
      } else {
        i += 1;
      }
    } else if (ch === ';') {
      flush(i);
      i += 1;
    } else {
      if (!/\s/.test(ch)) code(i);
      i += 1;
    }
  }
  flush(n);
  return statements;
}

function skipBlockComment(text: string, from: number): number {
  let depth = 0;
  let i = from;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  throw new Error(`unterminated block comment at offset ${from}`);
}

/** Index just past the closing quote; a doubled quote is an escaped quote. */
function skipQuoted(text: string, from: number, quote: string, backslashEscapes: boolean): number {
  let i = from + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  throw new Error(`unterminated ${quote}-quoted text at offset ${from}`);
}
