/**
 * A small ZIP writer for the record page: "stored" entries (no compression — the frames are
 * already JPEG), a local header before each file, the central directory, the end record. CRC-32
 * is computed here; names are UTF-8 (general-purpose flag bit 11). No ZIP64, so at most 65,535
 * entries and 4 GiB — an hour of frames at 10/s is a tenth of that.
 *
 * Entries are Blobs or byte arrays. The result is a Blob whose parts reference the entries'
 * Blobs, so a recording is read once (for its CRC) and never copied into one big buffer.
 * Format: PKWARE APPNOTE.TXT, sections 4.3.7 (local header), 4.3.12 (central), 4.3.16 (end).
 */

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION = 20; // 2.0, as Python's zipfile and most tools write
const MADE_BY_UNIX = (3 << 8) | VERSION; // so the external attributes below are Unix modes
const UTF8_NAMES = 1 << 11;
const STORED = 0;
const REGULAR_FILE = 0o100644; // rw-r--r--: unzip restores ordinary permissions, not executables
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, as zip and PNG use it) of bytes; pass a previous result to continue it. */
export function crc32(bytes, previous = 0) {
  let crc = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** A Date → the MS-DOS [time, date] pair zip headers store (local time, 2-second steps, 1980+). */
export function dosDateTime(date) {
  const year = Math.min(Math.max(date.getFullYear(), 1980), 2107);
  const time = (date.getHours() << 11) | (date.getMinutes() << 5) | (date.getSeconds() >> 1);
  const day = ((year - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate();
  return [time, day];
}

/**
 * [{ name, data: Blob | Uint8Array | ArrayBuffer }] → Promise<Blob> (application/zip).
 * Names are relative paths with "/" separators ("punches/0001.jpg"), each used once.
 */
export async function createZip(entries, { date = new Date() } = {}) {
  if (entries.length > MAX_ENTRIES) {
    throw new Error(`a zip without ZIP64 holds at most ${MAX_ENTRIES} files, not ${entries.length}`);
  }
  const [time, day] = dosDateTime(date);
  const encoder = new TextEncoder();
  const seen = new Set();
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of entries) {
    checkName(name, seen);
    const nameBytes = encoder.encode(name);
    const bytes = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : new Uint8Array(data);
    const fields = { nameBytes, time, day, crc: crc32(bytes), size: bytes.length };
    parts.push(localHeader(fields), data instanceof Blob ? data : bytes);
    central.push(centralHeader(fields, offset));
    offset += 30 + nameBytes.length + bytes.length;
    if (offset > MAX_OFFSET) throw new Error('the files add up to more than the 4 GiB a zip without ZIP64 holds');
  }
  const centralSize = central.reduce((sum, header) => sum + header.length, 0);
  const end = endRecord(entries.length, centralSize, offset);
  return new Blob([...parts, ...central, end], { type: 'application/zip' });
}

function checkName(name, seen) {
  const parts = name.split('/');
  if (!name || name.startsWith('/') || name.includes('\\') || name.includes('\0') || parts.includes('..')) {
    throw new Error(`not a safe relative name for a zip entry: ${JSON.stringify(name)}`);
  }
  if (seen.has(name)) throw new Error(`two entries are named ${JSON.stringify(name)}`);
  seen.add(name);
}

function localHeader({ nameBytes, time, day, crc, size }) {
  const header = new Uint8Array(30 + nameBytes.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, LOCAL_HEADER, true);
  view.setUint16(4, VERSION, true);
  view.setUint16(6, UTF8_NAMES, true);
  view.setUint16(8, STORED, true);
  view.setUint16(10, time, true);
  view.setUint16(12, day, true);
  view.setUint32(14, crc, true);
  view.setUint32(18, size, true); // compressed size: stored, so the same
  view.setUint32(22, size, true);
  view.setUint16(26, nameBytes.length, true);
  view.setUint16(28, 0, true); // no extra field
  header.set(nameBytes, 30);
  return header;
}

function centralHeader({ nameBytes, time, day, crc, size }, offset) {
  const header = new Uint8Array(46 + nameBytes.length);
  const view = new DataView(header.buffer);
  view.setUint32(0, CENTRAL_HEADER, true);
  view.setUint16(4, MADE_BY_UNIX, true);
  view.setUint16(6, VERSION, true);
  view.setUint16(8, UTF8_NAMES, true);
  view.setUint16(10, STORED, true);
  view.setUint16(12, time, true);
  view.setUint16(14, day, true);
  view.setUint32(16, crc, true);
  view.setUint32(20, size, true);
  view.setUint32(24, size, true);
  view.setUint16(28, nameBytes.length, true);
  // 30: extra length, 32: comment length, 34: disk number, 36: internal attributes: all 0.
  view.setUint32(38, REGULAR_FILE * 0x10000, true); // the Unix mode sits in the high 16 bits
  view.setUint32(42, offset, true);
  header.set(nameBytes, 46);
  return header;
}

function endRecord(count, centralSize, centralOffset) {
  const record = new Uint8Array(22);
  const view = new DataView(record.buffer);
  view.setUint32(0, END_OF_CENTRAL_DIRECTORY, true);
  // 4: this disk, 6: the disk the directory starts on: 0, a zip on one disk.
  view.setUint16(8, count, true);
  view.setUint16(10, count, true);
  view.setUint32(12, centralSize, true);
  view.setUint32(16, centralOffset, true);
  view.setUint16(20, 0, true); // no comment
  return record;
}
