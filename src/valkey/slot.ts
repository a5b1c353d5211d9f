// Key -> hash slot, exactly as the cluster spec defines it: CRC16-CCITT (XMODEM: poly 0x1021,
// init 0, no reflection) of the key, or of its hash tag, modulo 16384. Works on raw bytes, so
// binary keys and non-ASCII strings (hashed as UTF-8, like the server sees them) agree.

export const SLOT_COUNT = 16384;

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/** CRC16/XMODEM of `bytes[start, end)`. */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  }
  return crc;
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * The byte range that is hashed: the content between the first '{' and the first '}' after
 * it, when that content is non-empty; otherwise the whole key.
 */
export function hashTagRange(bytes: Uint8Array): [start: number, end: number] {
  const open = bytes.indexOf(OPEN_BRACE);
  if (open === -1) return [0, bytes.length];
  const close = bytes.indexOf(CLOSE_BRACE, open + 1);
  if (close === -1 || close === open + 1) return [0, bytes.length];
  return [open + 1, close];
}

/** Hash slot (0..16383) of a key. Strings are hashed as their UTF-8 bytes. */
export function keySlot(key: string | Uint8Array): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const [start, end] = hashTagRange(bytes);
  return crc16(bytes, start, end) & (SLOT_COUNT - 1);
}

export function isValidSlot(slot: number): boolean {
  return Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT;
}
