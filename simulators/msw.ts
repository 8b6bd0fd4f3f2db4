// A partner as msw request handlers, for in-process tests:
//   setupServer(...partnerHandlers(planPartner({ name: 'acme', routes: [...] }), { baseUrl: 'https://api.acme.test' }))
// The same runtime and decision as the node:http simulator: routes, timelines, sequences, rate
// limits, latency, Retry-After, malformed JSON, hangs and slow dribbles behave alike.
//
// Socket faults (reset, close-mid-body, truncated) exist only over the wire (startPartnerServer).
// By default partnerHandlers refuses a partner that uses them; with `socketFaults: 'emulate'`
// they become a network error (reset: Response.error(), the fetch rejects) or a body stream that
// errors after part of the body (close-mid-body, truncated) — emulations, not real sockets.
// A hang ends when the client aborts its request (AbortSignal); without one it never does.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { SOCKET_FAULT_KINDS } from '../src/schema/partner.ts';
import type { PlannedPartner } from './behaviour.ts';
import type { Answer, RequestFacts } from './decide.ts';
import { exchangeEntry, type Outcome } from './exchange.ts';
import type { Journal } from './journal.ts';
import { PartnerRuntime, type RuntimeOptions } from './runtime.ts';
import { sleep } from '../src/platform/poll.ts';

export interface HandlerOptions {
  /** where the partner lives for the code under test, e.g. "https://api.acme.test" or "http://127.0.0.1:9/acme" */
  baseUrl: string;
  journal?: Journal;
  /** socket faults: refuse them (default) or emulate them as network errors */
  socketFaults?: 'reject' | 'emulate';
  /** clock and randomness of the decisions (tests) */
  runtime?: RuntimeOptions;
  /** t = 0 of the timelines (epoch ms); default: now */
  t0?: number;
}

const SOCKET_FAULTS = new Set<string>(SOCKET_FAULT_KINDS);

export class OverTheWireOnlyError extends Error {
  constructor(what: string) {
    super(
      `${what}: socket faults (${SOCKET_FAULT_KINDS.join(', ')}) exist only over the wire — serve this partner with startPartnerServer, or pass { socketFaults: 'emulate' } to get a network error in-process instead`,
    );
    this.name = 'OverTheWireOnlyError';
  }
}

/** Resolves after `ms`, or when `signal` aborts (true then). */
function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const onAbort = () => {
      if (timer) clearTimeout(timer);
      resolve(true);
    };
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve(false);
        }, ms)
      : undefined;
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A body stream: `chunks` one by one, each after `intervalMs`; then ends, or errors with `fail`. */
function bodyStream(chunks: Uint8Array[], intervalMs: number, end: (outcome: Outcome) => void, fail?: Error): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (i < chunks.length) {
        if (intervalMs > 0) await sleep(intervalMs);
        controller.enqueue(chunks[i++]);
        return;
      }
      if (fail) {
        end(fail.message.includes('truncated') ? 'truncated' : 'closed-mid-body');
        controller.error(fail);
      } else {
        end('dribbled');
        controller.close();
      }
    },
    cancel() {
      end('client-closed');
    },
  });
}

function split(body: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o < body.byteLength; o += size) out.push(body.subarray(o, o + size));
  return out;
}

export function partnerHandlers(partner: PlannedPartner | PartnerRuntime, opts: HandlerOptions): HttpHandler[] {
  const runtime = partner instanceof PartnerRuntime ? partner : new PartnerRuntime(partner, opts.runtime);
  if (!(partner instanceof PartnerRuntime)) runtime.startTimeline(opts.t0 ?? Date.now());
  const emulate = opts.socketFaults === 'emulate';
  if (!emulate) {
    const faults = runtime.allBehaviours().filter((b) => SOCKET_FAULTS.has(b.kind));
    if (faults.length) throw new OverTheWireOnlyError(`partner "${runtime.name}" uses ${faults.map((f) => `${f.kind} (route "${f.route}", behaviour ${f.index})`).join(', ')}`);
  }
  const base = new URL(opts.baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const origin = base.origin;

  const resolver = async ({ request }: { request: Request }) => {
    const time = Date.now();
    const mono = performance.now();
    const url = new URL(request.url);
    if (prefix && url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return undefined;
    const path = url.pathname.slice(prefix.length) || '/';
    const body = request.method === 'GET' || request.method === 'HEAD' ? null : new Uint8Array(await request.clone().arrayBuffer());
    const bodyHash = body && body.byteLength ? createHash('sha256').update(body).digest('hex') : null;
    const facts: RequestFacts = { method: request.method, path, header: (n) => request.headers.get(n) ?? undefined, remoteAddress: null };
    const d = runtime.decide(facts);
    if (!d) return undefined; // another handler, or msw's onUnhandledRequest
    let journaled = false;
    const end = (outcome: Outcome) => {
      if (journaled) return;
      journaled = true;
      opts.journal?.record(exchangeEntry(runtime.name, facts, d, { time, mono, durationMs: performance.now() - mono }, outcome, bodyHash));
    };
    const a: Answer = d.answer;
    if (a.type === 'hang') {
      await wait(Number.POSITIVE_INFINITY, request.signal);
      end('hang');
      return HttpResponse.error();
    }
    if (!emulate && SOCKET_FAULTS.has(a.type)) throw new OverTheWireOnlyError(`partner "${runtime.name}", route "${d.route}" is now ${a.type}`);
    if (a.delayMs > 0 && (await wait(a.delayMs, request.signal))) {
      end('client-closed');
      return HttpResponse.error();
    }
    switch (a.type) {
      case 'respond':
        end('answered');
        return new HttpResponse(a.body, { status: a.status, headers: a.headers });
      case 'reset':
        end('reset');
        return HttpResponse.error();
      case 'close-mid-body':
      case 'truncated': {
        const fail = new Error(a.type === 'truncated' ? 'body truncated (emulated: fewer bytes than Content-Length)' : 'connection closed mid-body (emulated)');
        const headers = { ...a.headers };
        delete headers['content-length'];
        return new HttpResponse(bodyStream(a.sendBytes ? [a.body.subarray(0, a.sendBytes)] : [], 0, end, fail), { status: a.status, headers });
      }
      case 'slow-dribble': {
        const headers = { ...a.headers };
        delete headers['content-length']; // a stream: the fetch implementation frames it
        return new HttpResponse(bodyStream(split(a.body, a.chunkBytes), a.intervalMs, end), { status: a.status, headers });
      }
    }
  };
  const pattern = `${origin}${prefix}`;
  return [http.all(`${pattern}/*`, resolver), http.all(pattern || `${origin}/`, resolver)];
}
