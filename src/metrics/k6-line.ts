// A fast reader of the one line shape k6's JSON output writes for samples:
//   {"metric":"NAME","type":"Point","data":{"time":"RFC3339","value":N,"tags":{...}[,"metadata":{...}]}}
// without JSON.parse. It accepts a line only when JSON.parse would read the same fields from it;
// anything else (Metric lines, other key orders, whitespace, escapes, raw control characters,
// corrupt or truncated lines) returns false and the caller falls back to JSON.parse.
//
// It allocates nothing for a typical line: the metric name and the tags it extracts are compared
// with the previous line's and reused when equal, the time's date-and-second part is cached.

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

const HEAD = '{"metric":"';
const AFTER_METRIC = '","type":"Point","data":{"time":"';
const AFTER_TIME = '","value":';
const TAGS = ',"tags":';
const METADATA = ',"metadata":';
/** raw control characters are not allowed in JSON strings: JSON.parse rejects such a line */
const CONTROL = /[\u0000-\u001f]/;

const QUOTE = 34;
const COLON = 58;
const COMMA = 44;
const OPEN = 123;
const CLOSE = 125;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;
const ZERO = 48;

/** Powers of ten a double holds exactly (Clinger's fast path). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** A substring of `line`, reusing `previous` when equal to it (no allocation). */
function reuse(line: string, start: number, end: number, previous: string): string {
  return end - start === previous.length && line.startsWith(previous, start) ? previous : line.slice(start, end);
}

// ---- time ----

let cachePrefix = '';
let cacheZone = '';
let cacheBaseMs = NaN;

/**
 * Epoch ms of the RFC 3339 time at line[start, end), exactly as `Date.parse` reads it (fraction
 * truncated to the millisecond). k6 writes nanoseconds ("2026-11-23T19:14:18.749096413Z"); the
 * date-and-second part changes once a second, so it is parsed once and cached.
 */
function parseTimeAt(line: string, start: number, end: number): number {
  const n = end - start;
  if (n < 20 || line.charCodeAt(start + 10) !== 84 /* T */ || line.charCodeAt(start + 13) !== COLON || line.charCodeAt(start + 16) !== COLON) {
    return Date.parse(line.slice(start, end));
  }
  let i = start + 19;
  let ms = 0;
  if (line.charCodeAt(i) === DOT) {
    i++;
    let digits = 0;
    while (i < end && isDigit(line.charCodeAt(i))) {
      if (digits < 3) ms = ms * 10 + (line.charCodeAt(i) - ZERO);
      digits++;
      i++;
    }
    if (digits === 0) return Date.parse(line.slice(start, end));
    for (let d = digits; d < 3; d++) ms *= 10;
  }
  const zoneLength = end - i;
  if (zoneLength === 1) {
    if (line.charCodeAt(i) !== 90 /* Z */) return Date.parse(line.slice(start, end));
  } else if (zoneLength === 6) {
    const sign = line.charCodeAt(i);
    if ((sign !== PLUS && sign !== MINUS) || line.charCodeAt(i + 3) !== COLON) return Date.parse(line.slice(start, end));
  } else return Date.parse(line.slice(start, end));
  if (cacheZone.length !== zoneLength || line.slice(start, start + 19) !== cachePrefix || !line.startsWith(cacheZone, i)) {
    const prefix = line.slice(start, start + 19);
    const zone = line.slice(i, end);
    const base = Date.parse(prefix + zone);
    if (Number.isNaN(base)) return Date.parse(line.slice(start, end));
    cachePrefix = prefix;
    cacheZone = zone;
    cacheBaseMs = base;
  }
  return cacheBaseMs + ms;
}

/** Epoch milliseconds of an RFC 3339 time, as `Date.parse` reads it; NaN when it does not parse. */
export function parseK6Time(time: string): number {
  return parseTimeAt(time, 0, time.length);
}

// ---- numbers ----

/**
 * The JSON number at line[start, end), as JSON.parse reads it; NaN when the text is not a JSON
 * number. Short mantissas are computed exactly (one correctly rounded operation), others by Number().
 */
function parseNumberAt(line: string, start: number, end: number): number {
  let i = start;
  let negative = false;
  if (line.charCodeAt(i) === MINUS) {
    negative = true;
    i++;
  }
  if (i >= end) return NaN;
  let mantissa = 0;
  let digits = 0;
  let c = line.charCodeAt(i);
  if (c === ZERO) {
    i++;
  } else if (c >= 49 && c <= 57) {
    while (i < end && isDigit((c = line.charCodeAt(i)))) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      i++;
    }
  } else return NaN;
  let scale = 0;
  if (i < end && line.charCodeAt(i) === DOT) {
    i++;
    const fracStart = i;
    while (i < end && isDigit((c = line.charCodeAt(i)))) {
      if (mantissa !== 0 || c !== ZERO) digits++;
      mantissa = mantissa * 10 + (c - ZERO);
      scale++;
      i++;
    }
    if (i === fracStart) return NaN;
  }
  if (i < end) {
    c = line.charCodeAt(i);
    if (c !== 101 && c !== 69) return NaN; // e E
    i++;
    if (i < end && (line.charCodeAt(i) === PLUS || line.charCodeAt(i) === MINUS)) i++;
    const expStart = i;
    while (i < end && isDigit(line.charCodeAt(i))) i++;
    if (i === expStart || i !== end) return NaN;
    return Number(line.slice(start, end));
  }
  if (digits > 15 || scale > 22) return Number(line.slice(start, end));
  const v = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -v : v;
}

// ---- tags ----

/** Whether line[start, end) holds no backslash and no control character. */
function plainString(line: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c < 32 || c === 92) return false;
  }
  return true;
}

const PHASE = 1;
const REQUEST = 2;
const STATUS = 4;
const EXPECTED = 8;
const SCENARIO = 16;

/**
 * Reads Point lines of the known shape. One parser per stream: it reuses the previous line's
 * strings when they are equal, so a typical line allocates nothing.
 */
export class K6PointParser {
  /** the last line read; valid after `parse` returned true */
  readonly fields: PointFields = emptyPointFields();
  private seen = 0;
  /** the tags part of the last accepted line (from ,"tags": to the end); null: none */
  private rest: string | null = null;

  /**
   * Reads a {"k":"v",...} object of strings at `pos` (which must be "{"), storing the tags
   * gameday uses when `extract`. Returns the index after the closing "}", or -1 when it is not
   * such a plain object (an escape, a non-string value, bad syntax).
   */
  private scanStringObject(line: string, pos: number, extract: boolean, firstBackslash: number): number {
    if (line.charCodeAt(pos) !== OPEN) return -1;
    pos++;
    if (line.charCodeAt(pos) === CLOSE) return pos + 1;
    const out = this.fields;
    for (;;) {
      if (line.charCodeAt(pos) !== QUOTE) return -1;
      const keyStart = pos + 1;
      const keyEnd = line.indexOf('"', keyStart);
      if (keyEnd === -1) return -1;
      if (line.charCodeAt(keyEnd + 1) !== COLON || line.charCodeAt(keyEnd + 2) !== QUOTE) return -1;
      const valueStart = keyEnd + 3;
      const valueEnd = line.indexOf('"', valueStart);
      if (valueEnd === -1) return -1;
      // a backslash in the key or the value: an escape this reader does not decode
      if (firstBackslash !== -1 && firstBackslash < valueEnd) return -1;
      if (extract) {
        switch (keyEnd - keyStart) {
          case 5:
            if (line.startsWith('phase', keyStart)) {
              out.phase = reuse(line, valueStart, valueEnd, out.phase);
              this.seen |= PHASE;
            }
            break;
          case 7:
            if (line.startsWith('request', keyStart)) {
              out.request = reuse(line, valueStart, valueEnd, out.request);
              this.seen |= REQUEST;
            }
            break;
          case 6:
            if (line.startsWith('status', keyStart)) {
              out.status = reuse(line, valueStart, valueEnd, out.status);
              this.seen |= STATUS;
            }
            break;
          case 8:
            if (line.startsWith('scenario', keyStart)) {
              out.scenario = reuse(line, valueStart, valueEnd, out.scenario);
              this.seen |= SCENARIO;
            }
            break;
          case 17:
            if (line.startsWith('expected_response', keyStart)) {
              out.expectedResponse = reuse(line, valueStart, valueEnd, out.expectedResponse);
              this.seen |= EXPECTED;
            }
            break;
        }
      }
      pos = valueEnd + 1;
      const c = line.charCodeAt(pos);
      if (c === CLOSE) return pos + 1;
      if (c !== COMMA) return -1;
      pos++;
    }
  }

  /**
   * Reads a Point line of the known shape into `fields`. Returns false — leaving `fields` in an
   * unspecified state — when the line is anything else; the caller then uses JSON.parse.
   */
  parse(line: string): boolean {
    if (!line.startsWith(HEAD)) return false;
    const metricEnd = line.indexOf('"', HEAD.length);
    if (metricEnd <= HEAD.length) return false;
    if (line.slice(metricEnd, metricEnd + AFTER_METRIC.length) !== AFTER_METRIC) return false;
    const timeStart = metricEnd + AFTER_METRIC.length;
    const timeEnd = line.indexOf('"', timeStart);
    if (timeEnd === -1) return false;
    // the metric name and the time: no escape, no control character
    if (!plainString(line, HEAD.length, metricEnd) || !plainString(line, timeStart, timeEnd)) return false;
    if (!line.startsWith(AFTER_TIME, timeEnd)) return false;
    const valueStart = timeEnd + AFTER_TIME.length;
    const valueEnd = line.indexOf(TAGS, valueStart);
    if (valueEnd === -1) return false;
    const value = parseNumberAt(line, valueStart, valueEnd);
    if (Number.isNaN(value)) return false;

    // tags: k6 writes the samples of one request together, with the same tags. When the rest of
    // the line is the previous accepted line's, it was validated and read already.
    const out = this.fields;
    const rest = this.rest;
    // (slice + === : V8 compares flat strings fast, startsWith at an offset char by char)
    if (rest === null || line.length - valueEnd !== rest.length || line.slice(valueEnd) !== rest) {
      this.rest = null;
      /** the first backslash of the rest: any escape sends the line to JSON.parse */
      const bs = line.indexOf('\\', valueEnd);
      this.seen = 0;
      let pos = valueEnd + TAGS.length;
      if (line.startsWith('null', pos)) pos += 4;
      else {
        pos = this.scanStringObject(line, pos, true, bs);
        if (pos === -1) return false;
      }
      if (line.startsWith(METADATA, pos)) {
        pos = this.scanStringObject(line, pos + METADATA.length, false, bs);
        if (pos === -1) return false;
      }
      // the end: "}}" closing data and the line
      if (pos + 2 !== line.length || line.charCodeAt(pos) !== CLOSE || line.charCodeAt(pos + 1) !== CLOSE) return false;
      if (CONTROL.test(line)) return false;
      const seen = this.seen;
      if (!(seen & PHASE)) out.phase = '';
      if (!(seen & REQUEST)) out.request = '';
      if (!(seen & STATUS)) out.status = '';
      if (!(seen & EXPECTED)) out.expectedResponse = '';
      if (!(seen & SCENARIO)) out.scenario = '';
      this.rest = line.slice(valueEnd);
    }
    out.metric = reuse(line, HEAD.length, metricEnd, out.metric);
    out.timeMs = parseTimeAt(line, timeStart, timeEnd);
    out.value = value;
    return true;
  }
}
