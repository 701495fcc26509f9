// Bencoding (BEP 3): the encoding of .torrent files and tracker responses. Byte strings stay
// Buffers (piece hashes and compact peer lists are binary); dictionary keys are text and are
// written sorted by their raw bytes, as BEP 3 requires, so encode(decode(x)) gives x back for
// any canonical input and an info dictionary hashes the same wherever it is re-encoded.

export type BValue = number | Buffer | BValue[] | BDict;
export interface BDict { [key: string]: BValue }

export class BencodeError extends Error {}

/** Strings are written as UTF-8 byte strings; `undefined` dictionary values are left out. */
export type BInput = number | string | Buffer | BInput[] | { [key: string]: BInput | undefined };

export function bencode(value: BInput): Buffer {
  const parts: Buffer[] = [];
  const write = (v: BInput): void => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new BencodeError(`bencode integers are whole numbers; found ${v}`);
      parts.push(Buffer.from(`i${v}e`));
    } else if (typeof v === 'string' || Buffer.isBuffer(v)) {
      const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
      parts.push(Buffer.from(`${bytes.length}:`), bytes);
    } else if (Array.isArray(v)) {
      parts.push(Buffer.from('l'));
      v.forEach(write);
      parts.push(Buffer.from('e'));
    } else {
      parts.push(Buffer.from('d'));
      const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
      for (const key of keys) {
        parts.push(Buffer.from(`${Buffer.byteLength(key, 'latin1')}:`), Buffer.from(key, 'latin1'));
        write(v[key]!);
      }
      parts.push(Buffer.from('e'));
    }
  };
  write(value);
  return Buffer.concat(parts);
}

/** Decodes one whole value; trailing bytes, bad lengths and unsorted or repeated keys are errors. */
export function bdecode(data: Buffer): BValue {
  let at = 0;
  const fail = (what: string): never => {
    throw new BencodeError(`${what} at byte ${at} of ${data.length}`);
  };
  const readUntil = (stop: number): string => {
    const end = data.indexOf(stop, at);
    if (end < 0) fail(`unterminated value (no "${String.fromCharCode(stop)}")`);
    const text = data.subarray(at, end).toString('latin1');
    at = end + 1;
    return text;
  };
  const value = (): BValue => {
    const c = data[at];
    if (c === undefined) return fail('unexpected end of data');
    if (c === 0x69 /* i */) {
      at++;
      const text = readUntil(0x65);
      if (!/^(0|-?[1-9]\d*)$/.test(text)) fail(`bad integer "${text}"`);
      return Number(text);
    }
    if (c === 0x6c /* l */) {
      at++;
      const list: BValue[] = [];
      while (data[at] !== 0x65) list.push(value());
      at++;
      return list;
    }
    if (c === 0x64 /* d */) {
      at++;
      const dict: BDict = {};
      let previous: Buffer | undefined;
      while (data[at] !== 0x65) {
        const key = value();
        if (!Buffer.isBuffer(key)) return fail('a dictionary key that is not a string');
        if (previous && Buffer.compare(previous, key) >= 0) fail(`dictionary key "${key.toString()}" out of order or repeated`);
        previous = key;
        dict[key.toString('latin1')] = value();
      }
      at++;
      return dict;
    }
    if (c >= 0x30 && c <= 0x39) {
      const text = readUntil(0x3a);
      if (!/^(0|[1-9]\d*)$/.test(text)) fail(`bad string length "${text}"`);
      const length = Number(text);
      if (at + length > data.length) fail(`a string of ${length} bytes runs past the end`);
      const bytes = data.subarray(at, at + length);
      at += length;
      return Buffer.from(bytes);
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };
  const result = value();
  if (at !== data.length) fail('trailing data after the value');
  return result;
}

/** Typed access to decoded dictionaries, with errors that name the key. */
export const dictOf = (v: BValue | undefined, what: string): BDict => {
  if (v === undefined || typeof v === 'number' || Buffer.isBuffer(v) || Array.isArray(v)) throw new BencodeError(`${what} must be a dictionary`);
  return v;
};
export const bytesOf = (d: BDict, key: string): Buffer => {
  const v = d[key];
  if (!Buffer.isBuffer(v)) throw new BencodeError(`"${key}" must be a byte string`);
  return v;
};
export const intOf = (d: BDict, key: string): number => {
  const v = d[key];
  if (typeof v !== 'number') throw new BencodeError(`"${key}" must be an integer`);
  return v;
};
