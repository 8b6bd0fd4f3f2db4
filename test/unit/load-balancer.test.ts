// The nginx config of the drill's load balancer, generated for a topology (pure).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LB_HEALTH_PATH, loadBalancerPaths, nginxConfig, resolveNginx, type NginxConfigInput } from '../../src/targets/load-balancer.ts';
import { tmpDir } from '../helpers.ts';

const DIR = '/tmp/gameday-run/lb';
const topology: NginxConfigInput = {
  dir: DIR,
  listenPort: 18080,
  service: 'partner-hub',
  upstreams: [
    { port: 4001, zone: 'a', name: 'partner-hub-0' },
    { port: 4002, zone: 'b', name: 'partner-hub-1' },
  ],
};

/** the directives inside `block { ... }` (first match), without comments */
function block(config: string, header: string): string[] {
  const start = config.indexOf(`${header} {`);
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  const lines: string[] = [];
  for (const line of config.slice(start).split('\n')) {
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    lines.push(line.trim());
    if (depth === 0) break;
  }
  return lines.slice(1, -1).filter((l) => l && !l.startsWith('#'));
}

describe('nginx config for the load balancer', () => {
  const config = nginxConfig(topology);

  it('lists every replica as an upstream server with its zone as a comment and passive health checks', () => {
    const upstream = config.slice(config.indexOf('upstream sut {'), config.indexOf('}', config.indexOf('upstream sut {')));
    expect(upstream).toContain('# partner-hub-0, zone a\n        server 127.0.0.1:4001 max_fails=1 fail_timeout=10s;');
    expect(upstream).toContain('# partner-hub-1, zone b\n        server 127.0.0.1:4002 max_fails=1 fail_timeout=10s;');
    expect(block(config, 'upstream sut')).toEqual([
      'server 127.0.0.1:4001 max_fails=1 fail_timeout=10s;',
      'server 127.0.0.1:4002 max_fails=1 fail_timeout=10s;',
      'keepalive 16;',
      'keepalive_timeout 60000ms;',
    ]);
    // what a drill sets: max_fails, and fail_timeout in whole seconds (rounded up, at least 1)
    const tuned = nginxConfig({ ...topology, maxFails: 3, failTimeoutMs: 2500, upstreams: [{ port: 1 }, { port: 2 }] });
    expect(block(tuned, 'upstream sut').slice(0, 2)).toEqual(['server 127.0.0.1:1 max_fails=3 fail_timeout=3s;', 'server 127.0.0.1:2 max_fails=3 fail_timeout=3s;']);
    expect(block(nginxConfig({ ...topology, failTimeoutMs: 200 }), 'upstream sut')[0]).toBe('server 127.0.0.1:4001 max_fails=1 fail_timeout=1s;');
    expect(block(nginxConfig({ ...topology, maxFails: 0 }), 'upstream sut')[0]).toBe('server 127.0.0.1:4001 max_fails=0 fail_timeout=10s;');
  });

  it('retries the next replica on errors, timeouts, 502 and 503, bounded in tries and time; never replays a sent POST', () => {
    const root = block(config, 'location /');
    expect(root).toContain('proxy_pass http://sut;');
    expect(root).toContain('proxy_next_upstream error timeout http_502 http_503;');
    expect(root).toContain('proxy_next_upstream_tries 2;');
    expect(root).toContain('proxy_next_upstream_timeout 10000ms;');
    expect(root).toContain('proxy_connect_timeout 1000ms;');
    expect(root).toContain('proxy_read_timeout 10000ms;');
    expect(config).not.toContain('non_idempotent');
    // keepalive to the upstreams needs HTTP/1.1 and an emptied Connection header
    expect(root).toContain('proxy_http_version 1.1;');
    expect(root).toContain('proxy_set_header Connection $connection_upgrade;');
    expect(block(config, 'map $http_upgrade $connection_upgrade')).toEqual(['default upgrade;', "''      '';"]);
    expect(root).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    const three = nginxConfig({ ...topology, upstreams: [{ port: 1 }, { port: 2 }, { port: 3 }] });
    expect(block(three, 'location /')).toContain('proxy_next_upstream_tries 3;');
    expect(block(nginxConfig({ ...topology, nextUpstreamTries: 5, nextUpstream: ['error', 'http_504'] }), 'location /')).toEqual(
      expect.arrayContaining(['proxy_next_upstream_tries 5;', 'proxy_next_upstream error http_504;']),
    );
    expect(block(nginxConfig({ ...topology, nextUpstream: ['off'] }), 'location /')).toContain('proxy_next_upstream off;');
    expect(() => nginxConfig({ ...topology, nextUpstream: ['off', 'error'] })).toThrow(/off alone/);
    expect(() => nginxConfig({ ...topology, nextUpstream: ['http_418'] })).toThrow(/nextUpstream/);
  });

  it('upgrades WebSockets on /ws with a long read timeout', () => {
    const ws = block(config, 'location = /ws');
    expect(ws).toEqual(
      expect.arrayContaining([
        'proxy_pass http://sut;',
        'proxy_http_version 1.1;',
        'proxy_set_header Upgrade $http_upgrade;',
        'proxy_set_header Connection $connection_upgrade;',
        'proxy_read_timeout 3600000ms;',
      ]),
    );
  });

  it('listens on loopback only and answers its own health endpoint', () => {
    expect(config).toContain('listen 127.0.0.1:18080;');
    expect(config.match(/listen /g)).toHaveLength(1);
    expect(block(config, `location = ${LB_HEALTH_PATH}`)).toContain('return 200 "ok\\n";');
    expect(() => nginxConfig({ ...topology, listenHost: '0.0.0.0' })).toThrow(/loopback/);
  });

  it('keeps pid, logs, lock and every temp path inside the run directory', () => {
    const p = loadBalancerPaths(DIR);
    for (const file of [p.conf, p.pid, p.lock, p.errorLog, p.accessLog, p.stderrLog, ...Object.values(p.temp)]) expect(file.startsWith(`${DIR}/`)).toBe(true);
    const quoted = [...config.matchAll(/"(\/[^"]*)"/g)].map((m) => m[1]);
    expect(quoted.length).toBeGreaterThanOrEqual(9);
    for (const file of quoted) expect(file.startsWith(`${DIR}/`)).toBe(true);
    for (const directive of ['pid', 'lock_file', 'error_log', 'access_log', 'client_body_temp_path', 'proxy_temp_path', 'fastcgi_temp_path', 'uwsgi_temp_path', 'scgi_temp_path']) {
      expect(config).toMatch(new RegExp(`^\\s*${directive} "${DIR}/`, 'm'));
    }
    expect(config).not.toMatch(/\/etc\/nginx|\/var\//);
    expect(config).not.toMatch(/^\s*include/m);
    expect(config).not.toContain('daemon'); // given on the command line (-g 'daemon off;')
    expect(config.includes('user root;')).toBe(process.getuid?.() === 0);
  });

  it('refuses topologies and paths nginx would misread', () => {
    expect(() => nginxConfig({ ...topology, upstreams: [] })).toThrow(/at least one upstream/);
    expect(() => nginxConfig({ ...topology, upstreams: [{ port: 70000 }] })).toThrow(/upstream 0 port/);
    expect(() => nginxConfig({ ...topology, upstreams: [{ port: 1, host: 'evil; include /etc/passwd' }] })).toThrow(/not an address/);
    expect(() => nginxConfig({ ...topology, dir: 'relative/dir' })).toThrow(/absolute/);
    expect(() => nginxConfig({ ...topology, dir: '/tmp/a"b' })).toThrow(/cannot hold/);
    expect(() => nginxConfig({ ...topology, dir: '/tmp/$run' })).toThrow(/cannot hold/);
    expect(() => nginxConfig({ ...topology, listenPort: 0 })).toThrow(/listenPort/);
    expect(() => nginxConfig({ ...topology, upstreamName: 'a b' })).toThrow(/upstreamName/);
    // a zone label cannot break out of its comment
    const sneaky = nginxConfig({ ...topology, upstreams: [{ port: 1, zone: 'a\n    server 10.0.0.1:80;' }] });
    expect(sneaky).not.toMatch(/^\s*server 10\.0\.0\.1/m);
    expect(block(sneaky, 'upstream sut')).toEqual(['server 127.0.0.1:1 max_fails=1 fail_timeout=10s;', 'keepalive 16;', 'keepalive_timeout 60000ms;']);
  });
});

describe('finding nginx', () => {
  it('uses NGINX_BIN, then PATH, then /usr/sbin', () => {
    const dir = tmpDir('gameday-nginx-bin');
    try {
      const fake = path.join(dir, 'nginx');
      fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
      expect(resolveNginx({ NGINX_BIN: fake })).toBe(fake);
      expect(() => resolveNginx({ NGINX_BIN: path.join(dir, 'missing') })).toThrow(/NGINX_BIN=.* is not an executable/);
      expect(resolveNginx({ PATH: `/nonexistent:${dir}` }, [])).toBe(fake);
      expect(resolveNginx({ PATH: '/nonexistent' }, [fake])).toBe(fake); // the /usr/sbin fallback when PATH lacks it
      expect(() => resolveNginx({ PATH: '/nonexistent' }, [])).toThrow(/apt-get install nginx/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
