/**
 * Reader for the IDX format of MNIST-style datasets (LeCun's), plain or gzip-compressed
 * (detected by the gzip magic bytes, inflated with node:zlib).
 *
 * Layout: bytes 0–1 zero, byte 2 the element type (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32,
 * 0x0D f32, 0x0E f64), byte 3 the number of dimensions d, then d big-endian uint32 sizes, then
 * the elements in row-major order, big-endian.
 */
import { readInputBytes } from '../../model/io/files';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../model/errors';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

export interface IdxArray {
  type: IdxType;
  dims: number[];
  /** The elements, row-major, converted to native endianness. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxType; bytes: number }> = {
  0x08: { type: 'u8', bytes: 1 },
  0x09: { type: 'i8', bytes: 1 },
  0x0b: { type: 'i16', bytes: 2 },
  0x0c: { type: 'i32', bytes: 4 },
  0x0d: { type: 'f32', bytes: 4 },
  0x0e: { type: 'f64', bytes: 8 },
};

/** True when the bytes start with the gzip magic 1f 8b. */
export const isGzip = (buf: Uint8Array): boolean => buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;

/** Parse IDX bytes (gzip or not); `where` names the source in errors. O(size). */
export function parseIdx(bytes: Uint8Array, where: string): IdxArray {
  let buf = bytes;
  if (isGzip(buf)) {
    try {
      buf = gunzipSync(buf);
    } catch (err) {
      throw new InputError(where, `corrupt gzip data (${(err as Error).message})`);
    }
  }
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new InputError(where, 'not an IDX file (bad magic number)');
  const t = TYPES[buf[2]];
  if (!t) throw new InputError(where, `unknown IDX element type 0x${buf[2].toString(16).padStart(2, '0')}`);
  const nd = buf[3];
  const headerBytes = 4 + 4 * nd;
  if (buf.length < headerBytes) throw new InputError(where, 'truncated IDX header');
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < nd; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const need = headerBytes + count * t.bytes;
  if (buf.length < need) throw new InputError(where, `truncated IDX data: ${buf.length} bytes, dims ${dims.join('×')} need ${need}`);
  if (buf.length > need) throw new InputError(where, `${buf.length - need} unexpected bytes after the IDX data`);
  let data: IdxArray['data'];
  const o = headerBytes;
  switch (t.type) {
    case 'u8':
      data = Uint8Array.from(buf.subarray(o, o + count));
      break;
    case 'i8':
      data = Int8Array.from(buf.subarray(o, o + count), (v) => (v << 24) >> 24);
      break;
    case 'i16':
      data = new Int16Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt16(o + 2 * i, false);
      break;
    case 'i32':
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getInt32(o + 4 * i, false);
      break;
    case 'f32':
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(o + 4 * i, false);
      break;
    case 'f64':
      data = new Float64Array(count);
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(o + 8 * i, false);
      break;
  }
  return { type: t.type, dims, data };
}

/**
 * Read and parse an IDX file (`.gz` or not); every file error (missing, not a regular file,
 * over 256 MiB) is an InputError naming it.
 */
export function readIdxFile(file: string): IdxArray {
  const bytes = readInputBytes(file, 'an IDX file', 256 * 1024 * 1024);
  return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

/** Encode an array as IDX bytes (big-endian); used to make test fixtures. O(size). */
export function encodeIdx(type: IdxType, dims: number[], values: ArrayLike<number>): Uint8Array {
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)].type === type));
  const bytes = TYPES[code].bytes;
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new RangeError(`encodeIdx: ${values.length} values for dims ${dims.join('×')}`);
  const out = new Uint8Array(4 + 4 * dims.length + count * bytes);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const o = 4 + 4 * dims.length;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    switch (type) {
      case 'u8': view.setUint8(o + i, v); break;
      case 'i8': view.setInt8(o + i, v); break;
      case 'i16': view.setInt16(o + 2 * i, v, false); break;
      case 'i32': view.setInt32(o + 4 * i, v, false); break;
      case 'f32': view.setFloat32(o + 4 * i, v, false); break;
      case 'f64': view.setFloat64(o + 8 * i, v, false); break;
    }
  }
  return out;
}
