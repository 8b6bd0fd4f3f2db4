import { describe, expect, it } from 'vitest';
import { attributeFailures, describeAttribution, errorCauses, parseAccessLine } from '../../src/judge/attribution.ts';

const T0 = Date.parse('2026-12-05T16:00:00Z');
const at = (s: number) => ((T0 + s * 1000) / 1000).toFixed(3);
const line = (s: number, status: number, upstream: string, upstreamStatus: string, conn: number, headers: string, request = 'GET /offers HTTP/1.1') =>
  `2026-12-05T16:00:0${s}+00:00 127.0.0.1 "${request}" ${status} 10 0.002 upstream=${upstream} upstream_status=${upstreamStatus} upstream_time=0.001 upstream_header_time=${headers} conn=${conn} msec=${at(s)}`;
const PHASES = [
  { phase: 'steady' as const, startMs: 0, endMs: 2000 },
  { phase: 'fault' as const, startMs: 2000, endMs: 6000 },
  { phase: 'recovery' as const, startMs: 6000, endMs: 9000 },
];
const replicaOf = { '127.0.0.1:4001': 'hub-r0', '127.0.0.1:4002': 'hub-r1' };

describe('whose error was it (nginx logs)', () => {
  it('reads the gameday log format, retries included', () => {
    expect(parseAccessLine(line(3, 200, '127.0.0.1:4001, 127.0.0.1:4002', '502, 200', 7, '-, 0.001'))).toEqual({
      request: 'GET /offers HTTP/1.1',
      status: 200,
      upstreams: ['127.0.0.1:4001', '127.0.0.1:4002'],
      upstreamStatuses: ['502', '200'],
      headerTimes: ['-', '0.001'],
      connection: '7',
      timeMs: T0 + 3000,
    });
    expect(parseAccessLine('something else')).toBeNull();
  });

  it('tells the load balancer’s own failures from the answers of the service, per phase', () => {
    const access = [
      line(1, 200, '127.0.0.1:4001', '200', 1, '0.001'),
      line(3, 502, 'sut', '502', 2, '-'), // nginx had no replica to try
      line(3, 502, '127.0.0.1:4001', '502', 3, '-', 'POST /webhooks/acme HTTP/1.1'), // reset by the dying replica
      line(4, 503, '127.0.0.1:4002', '503', 4, '0.001'), // the replica said so itself
      line(7, 503, '127.0.0.1:4002', '503', 5, '0.002'),
      // a keep-alive connection: refused by r0, retried on r1 which answered; then the next request on it is refused by both
      line(7, 200, '127.0.0.1:4001, 127.0.0.1:4002', '502, 200', 9, '-, 0.001'),
      line(8, 502, '127.0.0.1:4001, 127.0.0.1:4002', '502, 502', 9, '-, -'),
    ];
    const errors = [
      '2026/12/05 16:00:03 [error] 11#11: *2 no live upstreams while connecting to upstream, client: 127.0.0.1, server: , request: "GET /offers HTTP/1.1", upstream: "http://sut/offers", host: "127.0.0.1:1"',
      '2026/12/05 16:00:03 [error] 11#11: *3 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: , request: "POST /webhooks/acme HTTP/1.1", upstream: "http://127.0.0.1:4001/webhooks/acme", host: "127.0.0.1:1"',
      '2026/12/05 16:00:03 [warn] 11#11: *3 upstream server temporarily disabled while reading response header from upstream, client: 127.0.0.1, server: , request: "POST /webhooks/acme HTTP/1.1"',
      '2026/12/05 16:00:07 [error] 11#11: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: , request: "GET /offers HTTP/1.1", upstream: "http://127.0.0.1:4001/offers", host: "127.0.0.1:1"',
      '2026/12/05 16:00:08 [error] 11#11: *9 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: , request: "GET /offers HTTP/1.1", upstream: "http://127.0.0.1:4001/offers", host: "127.0.0.1:1"',
      '2026/12/05 16:00:08 [error] 11#11: *9 upstream timed out (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: , request: "GET /offers HTTP/1.1", upstream: "http://127.0.0.1:4002/offers", host: "127.0.0.1:1"',
    ];
    expect([...errorCauses(errors).entries()]).toEqual([
      ['2 GET /offers HTTP/1.1', ['no live upstream']],
      ['3 POST /webhooks/acme HTTP/1.1', ['upstream reset']],
      ['9 GET /offers HTTP/1.1', ['upstream refused', 'upstream refused', 'upstream timeout']],
    ]);
    const a = attributeFailures({ accessLog: access, errorLog: errors, replicaOf, t0: T0, phases: PHASES });
    expect(a.failed).toBe(5);
    expect(a.byCause).toEqual({ 'load balancer: no live upstream': 1, 'load balancer: upstream reset (hub-r0)': 1, 'service hub-r1: 503': 2, 'load balancer: upstream timeout (hub-r1)': 1 });
    expect(a.byPhase).toEqual({
      fault: { 'load balancer: no live upstream': 1, 'load balancer: upstream reset (hub-r0)': 1, 'service hub-r1: 503': 1 },
      recovery: { 'service hub-r1: 503': 1, 'load balancer: upstream timeout (hub-r1)': 1 },
    });
    expect(describeAttribution(a.byCause)).toBe('5 failed: 2 service hub-r1: 503, 1 load balancer: no live upstream, 1 load balancer: upstream reset (hub-r0), 1 load balancer: upstream timeout (hub-r1)');
    expect(describeAttribution({})).toBe('no failed request');
  });
});
