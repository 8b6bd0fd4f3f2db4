// Feeding NDJSON into an aggregator: plain or gzipped files and streams, read in chunks by the
// aggregator's byte reader (lines and UTF-8 safe across chunk boundaries). A stream that ends mid-line marks the
// aggregator's stats as truncated.
import { Buffer } from 'node:buffer';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MetricsAggregator } from './aggregate.ts';

function toBuffer(chunk: unknown): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
}

/** Reads a whole stream of NDJSON (bytes or strings) into `aggregator`, through its byte fast path. */
export async function ingestStream(stream: Readable, aggregator: MetricsAggregator): Promise<MetricsAggregator> {
  for await (const chunk of stream) aggregator.ingestChunk(toBuffer(chunk));
  aggregator.endChunks();
  return aggregator;
}

const GZIP_MAGIC = [0x1f, 0x8b];

function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const n = fs.readSync(fd, head, 0, 2, 0);
    return n === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    fs.closeSync(fd);
  }
}

export class IngestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'IngestError';
  }
}

/**
 * Streams a k6 NDJSON file — plain or gzipped, told apart by its first bytes, not its name —
 * through an aggregator (a new one unless given). A gzip stream cut short counts as truncated.
 */
export async function ingestFile(file: string, aggregator = new MetricsAggregator()): Promise<MetricsAggregator> {
  let gz: boolean;
  try {
    gz = isGzip(file);
  } catch (err) {
    throw new IngestError(file, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the path`);
  }
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  if (!gz) return ingestStream(source, aggregator);
  const gunzip = createGunzip();
  try {
    for await (const chunk of source.pipe(gunzip)) aggregator.ingestChunk(toBuffer(chunk));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'Z_BUF_ERROR' && code !== 'Z_DATA_ERROR') throw new IngestError(file, `cannot decompress: ${String(err)}`);
    // the gzip stream ends early (the writer was killed) or is damaged: keep what was read
    aggregator.stats.truncated = true;
    if (code === 'Z_DATA_ERROR') aggregator.stats.corrupt++;
  } finally {
    source.destroy();
  }
  aggregator.endChunks();
  return aggregator;
}
