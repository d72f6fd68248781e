/**
 * Lower-case canonical uuids (8-4-4-4-12 hex digits), the usual row id, in
 * 16 bytes instead of 36 (row-id-index.ts): two digits a byte, the dashes
 * implied. For a million ids that is 20 MB less of the window's state.
 * Packed bytes compare as the strings do — digits 0–9 before a–f, as their
 * code units are, and the dashes in the same places — so sorting two packed
 * ids needs no decoding.
 */
export const PACKED_UUID_BYTES = 16;

const UUID_LENGTH = 36;
const DASH = 0x2d;
const HEX_UNITS = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

function isDashAt(k: number): boolean {
  return k === 8 || k === 13 || k === 18 || k === 23;
}

/** Index of the hex digit at code unit k (not a dash) among the 32 digits. */
function digitAt(k: number): number {
  return k - (k > 23 ? 4 : k > 18 ? 3 : k > 13 ? 2 : k > 8 ? 1 : 0);
}

export function isPackableUuid(id: string): boolean {
  if (id.length !== UUID_LENGTH) return false;
  for (let k = 0; k < UUID_LENGTH; k++) {
    const unit = id.charCodeAt(k);
    if (isDashAt(k)) {
      if (unit !== DASH) return false;
    } else if (!((unit >= 0x30 && unit <= 0x39) || (unit >= 0x61 && unit <= 0x66))) return false;
  }
  return true;
}

/** Writes a packable `id` to out[at … at + 16). */
export function packUuid(id: string, out: Uint8Array | Uint16Array, at: number): void {
  let digit = 0;
  for (let k = 0; k < UUID_LENGTH; k++) {
    if (isDashAt(k)) continue;
    const unit = id.charCodeAt(k);
    const value = unit <= 0x39 ? unit - 0x30 : unit - 0x57;
    const byte = at + (digit >> 1);
    out[byte] = digit & 1 ? out[byte]! | value : value << 4;
    digit++;
  }
}

/** Code unit k (0–35) of the uuid packed at bytes[at …]. */
export function packedUnitAt(bytes: Uint8Array | Uint16Array, at: number, k: number): number {
  if (isDashAt(k)) return DASH;
  const digit = digitAt(k);
  const byte = bytes[at + (digit >> 1)]!;
  return HEX_UNITS[digit & 1 ? byte & 15 : byte >> 4]!;
}

export const PACKED_UUID_UNITS = UUID_LENGTH;

export function unpackUuid(bytes: Uint8Array | Uint16Array, at: number): string {
  const units = new Array<number>(UUID_LENGTH);
  for (let k = 0; k < UUID_LENGTH; k++) units[k] = packedUnitAt(bytes, at, k);
  return String.fromCharCode.apply(null, units);
}

/** Whether the packable `id` is the uuid packed at bytes[at …]. */
export function equalsPacked(bytes: Uint8Array | Uint16Array, at: number, id: string): boolean {
  for (let k = 0; k < UUID_LENGTH; k++) if (!isDashAt(k) && packedUnitAt(bytes, at, k) !== id.charCodeAt(k)) return false;
  return true;
}
