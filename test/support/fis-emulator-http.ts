// The FIS emulator (fis-emulator.ts) served over real HTTP on 127.0.0.1, for a process the test
// does not run itself (the `gameday` CLI): point its SDK at it with AWS_ENDPOINT_URL_FIS. The
// emulator's msw handlers answer through msw's own getResponse(handlers, request); node:http
// only carries the bytes. A request no handler answers is a 404 that names it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse } from 'msw';
import { FisEmulator, type FisEmulatorOptions } from './fis-emulator.ts';

export interface ServedFisEmulator {
  emulator: FisEmulator;
  /** http://127.0.0.1:<port> */
  url: string;
  /** the environment a child process needs: the endpoint and dummy static credentials */
  env: Record<string, string>;
  close(): Promise<void>;
}

async function toRequest(req: http.IncomingMessage, base: string): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  const body = chunks.length ? Buffer.concat(chunks) : undefined;
  return new Request(new URL(req.url ?? '/', base), { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
}

export async function serveFisEmulator(opts: Omit<FisEmulatorOptions, 'endpoint'> = {}): Promise<ServedFisEmulator> {
  let emulator: FisEmulator | undefined;
  const server = http.createServer((req, res) => {
    void (async () => {
      const request = await toRequest(req, emulator!.endpoint);
      const response = await getResponse(emulator!.handlers(), request);
      if (!response) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`the FIS emulator has no handler for ${req.method} ${req.url}`);
        return;
      }
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    })().catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  emulator = new FisEmulator({ ...opts, endpoint: url });
  return {
    emulator,
    url,
    env: { AWS_ENDPOINT_URL_FIS: url, AWS_ACCESS_KEY_ID: 'AKIDGAMEDAYTEST00000', AWS_SECRET_ACCESS_KEY: 'gameday-test-secret-not-a-real-key', AWS_REGION: emulator.region },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
