// Unit tests of the record page's ZIP writer, web/js/zip.js, and of the layout of its export,
// web/js/dataset.js (run with `node --test tests/web/`). A test hands a zip to Python's zipfile,
// the reader `tfjs-kombat import` uses.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { clipName, exportEntries, numbered, sessionStamp } from '../../web/js/dataset.js';
import { crc32, createZip, dosDateTime } from '../../web/js/zip.js';

const bytes = (text) => new TextEncoder().encode(text);
const DATE = new Date(2024, 4, 17, 13, 45, 30); // local time, as zip headers store it

async function zipBytes(entries) {
  return new Uint8Array(await (await createZip(entries, { date: DATE })).arrayBuffer());
}

/** Walk a zip by its own records: the end record → central directory → local headers. */
function parse(zip) {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const end = zip.length - 22;
  assert.equal(view.getUint32(end, true), 0x06054b50, 'end of central directory signature');
  const count = view.getUint16(end + 10, true);
  assert.equal(view.getUint16(end + 8, true), count);
  const centralSize = view.getUint32(end + 12, true);
  let at = view.getUint32(end + 16, true);
  assert.equal(at + centralSize, end, 'the central directory ends where the end record starts');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries = [];
  for (let i = 0; i < count; i++) {
    assert.equal(view.getUint32(at, true), 0x02014b50, 'central header signature');
    const nameLength = view.getUint16(at + 28, true);
    const entry = {
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      time: view.getUint16(at + 12, true),
      date: view.getUint16(at + 14, true),
      crc: view.getUint32(at + 16, true),
      size: view.getUint32(at + 24, true),
      mode: view.getUint32(at + 38, true) >>> 16,
      offset: view.getUint32(at + 42, true),
      name: decoder.decode(zip.subarray(at + 46, at + 46 + nameLength)),
    };
    const local = entry.offset;
    assert.equal(view.getUint32(local, true), 0x04034b50, 'local header signature');
    assert.equal(view.getUint16(local + 6, true), entry.flags);
    assert.equal(view.getUint32(local + 14, true), entry.crc);
    assert.equal(view.getUint32(local + 18, true), entry.size);
    assert.equal(view.getUint16(local + 26, true), nameLength);
    const dataStart = local + 30 + nameLength + view.getUint16(local + 28, true);
    entry.data = zip.subarray(dataStart, dataStart + entry.size);
    entries.push(entry);
    at += 46 + nameLength;
  }
  return entries;
}

test('crc32 matches the standard check values', () => {
  assert.equal(crc32(bytes('')), 0);
  assert.equal(crc32(bytes('123456789')), 0xcbf43926); // the CRC-32 "check" value
  assert.equal(crc32(bytes('The quick brown fox jumps over the lazy dog')), 0x414fa339);
  assert.equal(crc32(new Uint8Array(32)), 0x190a55ad); // 32 zero bytes
  assert.equal(crc32(new Uint8Array(32).fill(0xff)), 0xff6cab0b);
});

test('crc32 continues across chunks', () => {
  const whole = bytes('punches/0001.jpg and more');
  assert.equal(crc32(whole.subarray(9), crc32(whole.subarray(0, 9))), crc32(whole));
});

test('dosDateTime packs local time in two-second steps and clamps to 1980', () => {
  const [time, day] = dosDateTime(DATE);
  assert.equal(time, (13 << 11) | (45 << 5) | 15);
  assert.equal(day, ((2024 - 1980) << 9) | (5 << 5) | 17);
  assert.equal(dosDateTime(new Date(1970, 0, 1))[1] >> 9, 0);
});

test('a zip holds every entry, stored, with CRC, size, date and offsets that agree', async () => {
  const jpeg = new Uint8Array(5000).map((_, i) => (i * 31) % 256);
  const contents = [jpeg, jpeg.subarray(0, 1234), bytes('kick'), new Uint8Array(0)];
  const entries = [
    { name: 'punches/0001.jpg', data: new Blob([contents[0]]) },
    { name: 'punches/0002.jpg', data: contents[1] },
    { name: 'kicks/0001.jpg', data: contents[2].buffer },
    { name: 'others/0001.jpg', data: contents[3] },
  ];
  const zip = await zipBytes(entries);
  const parsed = parse(zip);
  assert.deepEqual(
    parsed.map((entry) => entry.name),
    entries.map((entry) => entry.name),
  );
  const [time, day] = dosDateTime(DATE);
  for (const [i, entry] of parsed.entries()) {
    assert.equal(entry.method, 0, 'stored');
    assert.equal(entry.flags, 0x0800, 'UTF-8 names, nothing else');
    assert.equal(entry.mode, 0o100644);
    assert.deepEqual([entry.time, entry.date], [time, day]);
    assert.deepEqual(entry.data, contents[i]);
    assert.equal(entry.crc, crc32(contents[i]));
  }
  const headers = parsed.reduce((sum, entry) => sum + 30 + 46 + 2 * bytes(entry.name).length, 0);
  const data = contents.reduce((sum, content) => sum + content.length, 0);
  assert.equal(zip.length, headers + data + 22, 'no byte more than the records need');
});

test('names are UTF-8 in both headers', async () => {
  const name = 'extra/ñandú-日本-🥋.jpg';
  const [entry] = parse(await zipBytes([{ name, data: bytes('x') }]));
  assert.equal(entry.name, name);
  assert.equal(entry.flags & 0x0800, 0x0800);
});

test('an empty list makes a valid empty zip', async () => {
  const zip = await zipBytes([]);
  assert.equal(zip.length, 22);
  assert.deepEqual(parse(zip), []);
});

test('unsafe or repeated names are refused', async () => {
  for (const name of ['', '/etc/passwd', '../up.jpg', 'punches/../../x.jpg', 'a\\b.jpg', 'a\0.jpg']) {
    await assert.rejects(createZip([{ name, data: bytes('x') }]), /not a safe relative name/, name);
  }
  const twice = [
    { name: 'kicks/0001.jpg', data: bytes('a') },
    { name: 'kicks/0001.jpg', data: bytes('b') },
  ];
  await assert.rejects(createZip(twice), /two entries are named/);
});

test("Python's zipfile reads the zip back: names, flags, bytes, CRCs", async () => {
  const entries = [
    { name: 'punches/0001.jpg', data: new Blob([new Uint8Array(70000).map((_, i) => i % 251)]) },
    { name: 'kicks/0001.jpg', data: bytes('a kick') },
    { name: 'blöck/0001.jpg', data: bytes('a block') },
  ];
  const folder = mkdtempSync(join(tmpdir(), 'zip-test-'));
  try {
    const path = join(folder, 'recording.zip');
    writeFileSync(path, await zipBytes(entries));
    const script = [
      'import hashlib, json, sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'bad = z.testzip()', // reads every entry and checks its CRC
      'digest = lambda info: hashlib.sha256(z.read(info)).hexdigest()',
      'rows = [[i.filename, i.flag_bits, i.compress_type, digest(i)] for i in z.infolist()]',
      'print(json.dumps({"bad": bad, "rows": rows}))',
    ].join('\n');
    const result = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf-8' }));
    assert.equal(result.bad, null);
    const { createHash } = await import('node:crypto');
    const expected = [];
    for (const { name, data } of entries) {
      const content = data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
      expected.push([name, 0x0800, 0, createHash('sha256').update(content).digest('hex')]);
    }
    assert.deepEqual(result.rows, expected);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

// --- the export's layout: single frames, and one folder per clip ---------------------------------

test('a session stamp is the local date and time, zero-padded', () => {
  assert.equal(sessionStamp(DATE), '20240517-134530');
  assert.equal(sessionStamp(new Date(2025, 0, 2, 3, 4, 5)), '20250102-030405');
});

test('numbers are 1-based, padded to one width per folder so that names sort as numbers', () => {
  assert.equal(numbered(0, 12, 3), '001');
  assert.equal(numbered(11, 12, 3), '012');
  assert.equal(numbered(0, 1200, 3), '0001');
  assert.equal(numbered(1199, 1200, 3), '1200');
  assert.equal(numbered(0, 3, 4), '0001');
  assert.equal(clipName('20240517-134530', 1, 2), '20240517-134530-002');
  const names = Array.from({ length: 1200 }, (_, i) => numbered(i, 1200, 3));
  assert.deepEqual([...names].sort(), names);
});

test('the export keeps clips apart: <class>/<clip>/001.jpg, … after the single frames', () => {
  const stamp = '20240517-134530';
  const frame = (text) => bytes(text);
  const classes = [
    { folder: 'punches', frames: [frame('p1'), frame('p2')], clips: [[frame('a1'), frame('a2')], [], [frame('b1')]] },
    { folder: 'kicks', frames: [], clips: [] },
    { folder: 'roundhouses', frames: [], clips: [[frame('r1'), frame('r2'), frame('r3')]] },
  ];
  const entries = exportEntries(classes, stamp);
  assert.deepEqual(
    entries.map(({ name }) => name),
    [
      'punches/0001.jpg',
      'punches/0002.jpg',
      `punches/${stamp}-001/001.jpg`, // an empty clip leaves no folder and no gap in the numbers
      `punches/${stamp}-001/002.jpg`,
      `punches/${stamp}-002/001.jpg`,
      `roundhouses/${stamp}-001/001.jpg`,
      `roundhouses/${stamp}-001/002.jpg`,
      `roundhouses/${stamp}-001/003.jpg`,
    ],
  );
  const text = new TextDecoder();
  assert.deepEqual(
    entries.map(({ data }) => text.decode(data)),
    ['p1', 'p2', 'a1', 'a2', 'b1', 'r1', 'r2', 'r3'],
  );
});

test('an export zip lists its clips folder by folder, frames in order', async () => {
  const clip = (length) => Array.from({ length }, (_, i) => bytes(`frame ${i}`));
  const classes = [{ folder: 'back_kicks', frames: [], clips: [clip(3), clip(1000)] }];
  const parsed = parse(await zipBytes(exportEntries(classes, '20240517-134530')));
  assert.equal(parsed.length, 1003);
  const names = parsed.map((entry) => entry.name);
  assert.deepEqual(names.slice(0, 4), [
    'back_kicks/20240517-134530-001/001.jpg',
    'back_kicks/20240517-134530-001/002.jpg',
    'back_kicks/20240517-134530-001/003.jpg',
    'back_kicks/20240517-134530-002/0001.jpg',
  ]);
  assert.equal(names.at(-1), 'back_kicks/20240517-134530-002/1000.jpg');
  assert.deepEqual([...names].sort(), names);
});
