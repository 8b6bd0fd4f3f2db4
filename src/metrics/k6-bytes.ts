// The fast path for k6's NDJSON as it arrives: raw bytes, split into lines at "\n", Point lines
// of k6's usual shape read byte by byte without decoding or JSON.parse:
//   {"metric":"NAME","type":"Point","data":{"time":"RFC3339","value":N,"tags":{...}[,"metadata":{...}]}}
// A line is accepted only when JSON.parse would read the same fields from it (no escapes, no raw
// control characters, exact syntax); every other line is decoded and handed to the slow path.
// Strings (metric names, tag values) are interned: a typical line allocates nothing.
import { Buffer } from 'node:buffer';

/** The fields of one Point line. Reused between lines: copy what you keep. */
export interface PointFields {
  metric: string;
  value: number;
  /** epoch ms (Date.parse semantics), NaN when the time does not parse */
  timeMs: number;
  /** '' when the tag is absent */
  phase: string;
  request: string;
  status: string;
  expectedResponse: string;
  scenario: string;
}

export function emptyPointFields(): PointFields {
  return { metric: '', value: 0, timeMs: NaN, phase: '', request: '', status: '', expectedResponse: '', scenario: '' };
}

const enc = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const HEAD = pattern('{"metric":"');
const AFTER_METRIC = pattern('","type":"Point","data":{"time":"');
const AFTER_TIME = pattern('","value":');
const TAGS = pattern(',"tags":');
const METADATA = enc(',"metadata":');
const NULL = enc('null');
const KEY_PHASE = enc('phase');
const KEY_REQUEST = enc('request');
const KEY_STATUS = enc('status');
const KEY_SCENARIO = enc('scenario');
const KEY_EXPECTED = enc('expected_response');

const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const COLON = 58;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
const ZERO = 48;

const PHASE = 1;
const REQUEST = 2;
const STATUS = 4;
const EXPECTED = 8;
const SCENARIO = 16;

/** Bytes inside a JSON string: 0 plain, 1 the closing quote, 2 what this reader does not take (escape, control character). */
const STRING_BYTE = new Uint8Array(256);
for (let c = 0; c < 32; c++) STRING_BYTE[c] = 2;
STRING_BYTE[QUOTE] = 1;
STRING_BYTE[BACKSLASH] = 2;

/** Powers of ten a double holds exactly (Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function matches(b: Uint8Array, at: number, pattern: Uint8Array): boolean {
  const n = pattern.length;
  if (at + n > b.length) return false;
  for (let k = 0; k < n; k++) if (b[at + k] !== pattern[k]) return false;
  return true;
}

/** A fixed byte string, also as little-endian 32-bit words: compared 4 bytes at a time. */
interface Pattern {
  bytes: Uint8Array;
  words: Int32Array;
}

function pattern(text: string): Pattern {
  const bytes = enc(text);
  const words = new Int32Array(bytes.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = bytes[4 * k] | (bytes[4 * k + 1] << 8) | (bytes[4 * k + 2] << 16) | (bytes[4 * k + 3] << 24);
  return { bytes, words };
}

/** Whether `b` (seen through `view`) holds `p` at `at`. */
function matchesWords(view: DataView, b: Uint8Array, at: number, p: Pattern): boolean {
  const n = p.bytes.length;
  if (at + n > b.length) return false;
  const words = p.words;
  for (let k = 0; k < words.length; k++) if (view.getInt32(at + 4 * k, true) !== words[k]) return false;
  for (let k = words.length * 4; k < n; k++) if (b[at + k] !== p.bytes[k]) return false;
  return true;
}

interface Interned {
  bytes: Uint8Array;
  text: string;
}

/** Strings by their bytes, found by length then byte by byte (metric names and tag values are few and short). */
class Interner {
  private readonly byLength: Interned[][] = [];

  get(b: Buffer, start: number, end: number): string {
    const n = end - start;
    if (n > 255) return b.toString('utf8', start, end);
    let list = this.byLength[n];
    if (list === undefined) list = this.byLength[n] = [];
    outer: for (let j = 0; j < list.length; j++) {
      const e = list[j].bytes;
      // from the end: names share prefixes (http_req_…), not suffixes
      for (let k = n - 1; k >= 0; k--) if (e[k] !== b[start + k]) continue outer;
      return list[j].text;
    }
    const text = b.toString('utf8', start, end);
    // a tag with unbounded values (ids) must not grow this forever, nor slow it down
    if (list.length < 32) list.push({ bytes: Uint8Array.prototype.slice.call(b, start, end), text });
    return text;
  }
}

/** Reads k6 output chunk by chunk. */
export class K6ChunkReader {
  /** the last Point read by the fast path */
  readonly fields: PointFields = emptyPointFields();
  private readonly strings = new Interner();
  /** the start of a line that continues in the next chunk, in pieces */
  private carry: Buffer[] = [];
  private seen = 0;
  private timePrefix = new Uint8Array(0);
  private timeZone = new Uint8Array(0);
  private timeBaseMs = NaN;
  private fast = true;
  /** the tags part of the last line read by the fast path (from `,"tags":` to the end), and its length; -1: none */
  private readonly rest = Buffer.alloc(4096);
  private restLength = -1;

  constructor(
    /** a Point line read by the fast path: its fields are in `fields` */
    private readonly onPoint: (fields: PointFields) => void,
    /** any other line, decoded (without its newline) */
    private readonly onLine: (line: string) => void,
  ) {}

  /** Every line goes to `onLine` (for comparing with JSON.parse). */
  disableFastPath(): void {
    this.fast = false;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(NL);
      if (nl === -1) {
        // copied: the caller may reuse its buffer
        this.carry.push(Buffer.from(chunk));
        return;
      }
      this.carry.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.carry);
      this.carry = [];
      this.line(new DataView(line.buffer, line.byteOffset, line.byteLength), line, 0, line.length);
      start = nl + 1;
    }
    const n = chunk.length;
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (start < n) {
      const nl = chunk.indexOf(NL, start);
      if (nl === -1) {
        this.carry.push(Buffer.from(chunk.subarray(start)));
        return;
      }
      this.line(view, chunk, start, nl);
      start = nl + 1;
    }
  }

  /** The stream is over; returns the decoded rest when it did not end with a newline, else null. */
  end(): string | null {
    const rest = Buffer.concat(this.carry);
    this.carry = [];
    return rest.length > 0 ? rest.toString('utf8') : null;
  }

  private line(view: DataView, b: Buffer, start: number, end: number): void {
    if (end === start) return;
    if (this.fast && this.parse(view, b, start, end)) this.onPoint(this.fields);
    else this.onLine(b.toString('utf8', start, end));
  }

  /** Scans a JSON string body from `i` (after its opening quote) to its closing quote; -1 on an escape, control character or the end. */
  private static stringEnd(b: Buffer, i: number, end: number): number {
    for (; i < end; i++) {
      const k = STRING_BYTE[b[i]];
      if (k === 0) continue;
      return k === 1 ? i : -1;
    }
    return -1;
  }

  private parse(view: DataView, b: Buffer, start: number, end: number): boolean {
    if (!matchesWords(view, b, start, HEAD)) return false;
    // metric name, hashed as it is scanned
    const metricStart = start + HEAD.bytes.length;
    const metricEnd = K6ChunkReader.stringEnd(b, metricStart, end);
    if (metricEnd <= metricStart) return false;
    let i = metricEnd;
    if (!matchesWords(view, b, i, AFTER_METRIC)) return false;
    i += AFTER_METRIC.bytes.length;
    const timeStart = i;
    let timeMs = this.cachedTime(view, b, i, end);
    let timeEnd: number;
    if (timeMs >= 0) timeEnd = this.cachedTimeEnd;
    else {
      timeEnd = K6ChunkReader.stringEnd(b, i, end);
      if (timeEnd === -1) return false;
      timeMs = NaN;
    }
    if (!matchesWords(view, b, timeEnd, AFTER_TIME)) return false;
    i = timeEnd + AFTER_TIME.bytes.length;

    // value: JSON number grammar; short mantissas computed exactly, others by Number()
    const valueStart = i;
    let negative = false;
    if (b[i] === MINUS) {
      negative = true;
      i++;
    }
    let c = b[i];
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let exact = true;
    if (c === ZERO) i++;
    else if (c >= 49 && c <= 57) {
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        i++;
      }
    } else return false;
    if (b[i] === DOT) {
      i++;
      const fracStart = i;
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        if (mantissa !== 0 || c !== ZERO) digits++;
        mantissa = mantissa * 10 + (c - ZERO);
        scale++;
        i++;
      }
      if (i === fracStart) return false;
    }
    c = b[i];
    if (c === 101 || c === 69) {
      i++;
      if (b[i] === PLUS || b[i] === MINUS) i++;
      const expStart = i;
      while (i < end && (c = b[i]) >= 48 && c <= 57) i++;
      if (i === expStart) return false;
      exact = false;
    }
    const valueEnd = i;
    if (!matchesWords(view, b, i, TAGS)) return false;
    i += TAGS.bytes.length;
    let value: number;
    if (exact && digits <= 15 && scale <= 22) {
      value = scale === 0 ? mantissa : mantissa / POW10[scale];
      if (negative) value = -value;
    } else value = Number(b.toString('latin1', valueStart, valueEnd));

    // tags: k6 writes the samples of one request together, with the same tags. When the rest of
    // the line is byte for byte the previous accepted line's, it was validated and read already.
    const out = this.fields;
    const restLength = end - valueEnd;
    if (restLength !== this.restLength || b.compare(this.rest, 0, restLength, valueEnd, end) !== 0) {
      this.restLength = -1;
      this.seen = 0;
      if (matches(b, i, NULL)) i += NULL.length;
      else {
        i = this.scanObject(b, i, end, true);
        if (i === -1) return false;
      }
      if (matches(b, i, METADATA)) {
        i = this.scanObject(b, i + METADATA.length, end, false);
        if (i === -1) return false;
      }
      if (i + 2 !== end || b[i] !== CLOSE || b[i + 1] !== CLOSE) return false;
      const seen = this.seen;
      if (!(seen & PHASE)) out.phase = '';
      if (!(seen & REQUEST)) out.request = '';
      if (!(seen & STATUS)) out.status = '';
      if (!(seen & EXPECTED)) out.expectedResponse = '';
      if (!(seen & SCENARIO)) out.scenario = '';
      if (restLength <= this.rest.length) {
        b.copy(this.rest, 0, valueEnd, end);
        this.restLength = restLength;
      }
    }
    out.metric = this.strings.get(b, metricStart, metricEnd);
    out.timeMs = Number.isNaN(timeMs) ? this.time(b, timeStart, timeEnd) : timeMs;
    out.value = value;
    return true;
  }

  /** A {"k":"v",...} object of plain strings at `i`; the index after it, or -1. */
  private scanObject(b: Buffer, i: number, end: number, extract: boolean): number {
    if (b[i] !== OPEN) return -1;
    i++;
    if (b[i] === CLOSE) return i + 1;
    const out = this.fields;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      const keyStart = i + 1;
      const keyEnd = K6ChunkReader.stringEnd(b, keyStart, end);
      if (keyEnd === -1 || b[keyEnd + 1] !== COLON || b[keyEnd + 2] !== QUOTE) return -1;
      const valueStart = keyEnd + 3;
      let wanted = 0;
      if (extract) {
        const n = keyEnd - keyStart;
        if (n === 5) wanted = matches(b, keyStart, KEY_PHASE) ? PHASE : 0;
        else if (n === 7) wanted = matches(b, keyStart, KEY_REQUEST) ? REQUEST : 0;
        else if (n === 6) wanted = matches(b, keyStart, KEY_STATUS) ? STATUS : 0;
        else if (n === 8) wanted = matches(b, keyStart, KEY_SCENARIO) ? SCENARIO : 0;
        else if (n === 17) wanted = matches(b, keyStart, KEY_EXPECTED) ? EXPECTED : 0;
      }
      const valueEnd = K6ChunkReader.stringEnd(b, valueStart, end);
      if (valueEnd === -1) return -1;
      if (wanted !== 0) {
        const text = this.strings.get(b, valueStart, valueEnd);
        if (wanted === PHASE) out.phase = text;
        else if (wanted === REQUEST) out.request = text;
        else if (wanted === STATUS) out.status = text;
        else if (wanted === SCENARIO) out.scenario = text;
        else out.expectedResponse = text;
        this.seen |= wanted;
      }
      i = valueEnd + 1;
      const c = b[i];
      if (c === CLOSE) return i + 1;
      if (c !== COMMA) return -1;
      i++;
    }
  }

  private cachedTimeEnd = -1;
  private timePrefixWords: Int32Array | null = null;

  /**
   * The common case, without scanning for the closing quote: the time at `start` is in the
   * cached second ("2026-11-23T19:14:18"), with a fraction and "Z". Returns its epoch ms and sets
   * cachedTimeEnd to its closing quote; -1 when it is anything else (the caller takes the long way).
   */
  private cachedTime(view: DataView, b: Buffer, start: number, end: number): number {
    const prefix = this.timePrefixWords;
    if (prefix === null || start + 19 > end) return -1;
    // the second the cache holds, compared 4 bytes at a time (the 4th word overlaps the 3rd by one byte)
    if (view.getInt32(start, true) !== prefix[0] || view.getInt32(start + 4, true) !== prefix[1] || view.getInt32(start + 8, true) !== prefix[2] || view.getInt32(start + 12, true) !== prefix[3] || view.getInt32(start + 15, true) !== prefix[4]) return -1;
    let i = start + 19;
    let ms = 0;
    if (b[i] === DOT) {
      i++;
      let digits = 0;
      let c: number;
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        if (digits < 3) ms = ms * 10 + (c - ZERO);
        digits++;
        i++;
      }
      if (digits === 0) return -1;
      for (let d = digits; d < 3; d++) ms *= 10;
    }
    if (b[i] !== 90 /* Z */ || b[i + 1] !== QUOTE) return -1;
    this.cachedTimeEnd = i + 1;
    return this.timeBaseMs + ms;
  }

  /** Epoch ms of the RFC 3339 time at b[start, end), as Date.parse reads it. */
  private time(b: Buffer, start: number, end: number): number {
    const n = end - start;
    if (n < 20 || b[start + 10] !== 84 /* T */ || b[start + 13] !== COLON || b[start + 16] !== COLON) return Date.parse(b.toString('latin1', start, end));
    let i = start + 19;
    let ms = 0;
    if (b[i] === DOT) {
      i++;
      let digits = 0;
      let c: number;
      while (i < end && (c = b[i]) >= 48 && c <= 57) {
        if (digits < 3) ms = ms * 10 + (c - ZERO);
        digits++;
        i++;
      }
      if (digits === 0) return Date.parse(b.toString('latin1', start, end));
      for (let d = digits; d < 3; d++) ms *= 10;
    }
    const zoneLength = end - i;
    if (zoneLength === 1) {
      if (b[i] !== 90 /* Z */) return Date.parse(b.toString('latin1', start, end));
    } else if (zoneLength === 6) {
      const sign = b[i];
      if ((sign !== PLUS && sign !== MINUS) || b[i + 3] !== COLON) return Date.parse(b.toString('latin1', start, end));
    } else return Date.parse(b.toString('latin1', start, end));
    const prefix = this.timePrefix;
    const zone = this.timeZone;
    let hit = prefix.length === 19 && zone.length === zoneLength;
    for (let k = 0; hit && k < 19; k++) if (prefix[k] !== b[start + k]) hit = false;
    for (let k = 0; hit && k < zoneLength; k++) if (zone[k] !== b[i + k]) hit = false;
    if (!hit) {
      const base = Date.parse(b.toString('latin1', start, start + 19) + b.toString('latin1', i, end));
      if (Number.isNaN(base)) return Date.parse(b.toString('latin1', start, end));
      this.timePrefix = Uint8Array.prototype.slice.call(b, start, start + 19);
      this.timeZone = Uint8Array.prototype.slice.call(b, i, end);
      this.timeBaseMs = base;
      // the words cachedTime compares, for a second in UTC ("Z") only
      if (zoneLength === 1) {
        const v = new DataView(this.timePrefix.buffer, this.timePrefix.byteOffset, 19);
        this.timePrefixWords = Int32Array.of(v.getInt32(0, true), v.getInt32(4, true), v.getInt32(8, true), v.getInt32(12, true), v.getInt32(15, true));
      } else this.timePrefixWords = null;
    }
    return this.timeBaseMs + ms;
  }
}
