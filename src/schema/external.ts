// An external target: a system that is already running, named by its endpoints; and the
// blast-radius rule for anything off loopback (allowRemote: a reason and the hosts it names).
// Pure: the checks here make no connection.
import { z } from 'zod';
import { LabelSelector } from './label-selector.ts';
import { Slug } from './names.ts';

/** Permission to reach beyond loopback: why, and which hosts exactly. Recorded in the evidence. */
export const AllowRemote = z.strictObject({
  reason: z.string().trim().min(10, 'say why this drill may reach beyond loopback (who approved it, what it touches)'),
  /** the hosts (names or addresses, as written in the URLs) that may be reached; nothing else is */
  hosts: z.array(z.string().min(1)).default([]),
  /** a kubernetes target: the kubeconfig contexts whose API server may be off loopback (or name the server's host in hosts) */
  contexts: z.array(z.string().min(1)).default([]),
  /** driver fis against real AWS: the accounts its experiments may act in */
  awsAccounts: z.array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id, e.g. "123456789012"')).min(1).optional(),
});
export type AllowRemote = z.infer<typeof AllowRemote>;

export const ExternalEndpoint = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a name is lower-case letters, digits and dashes'),
    baseUrl: z.url({ protocol: /^https?$/, error: 'write the endpoint as http://HOST:PORT or https://HOST:PORT' }),
    /** header values may be "env:NAME": read from the environment at start (an auth token stays out of the drill) */
    headers: z.record(z.string(), z.string()).default({}),
    /** TLS verification is on; turning it off for one endpoint must be said here */
    insecureSkipTlsVerify: z.boolean().default(false),
    /** GET this path before anything is injected: a 2xx means up */
    health: z.object({ path: z.string().startsWith('/'), timeout: z.number().int().positive().default(5000) }).strict().default({ path: '/', timeout: 5000 }),
  })
  .strict();
export type ExternalEndpoint = z.infer<typeof ExternalEndpoint>;

export const ExternalTarget = z.strictObject({
  /** a system that already runs: gameday starts and stops nothing of it */
  kind: z.literal('external'),
  /** the system's name: a fault's `target` is this (every endpoint) or one endpoint's name */
  name: Slug,
  /** where load goes, each through a proxy of gameday's own Toxiproxy on 127.0.0.1 (round-robin over them) */
  endpoints: z.array(ExternalEndpoint).min(1),
  /** the team's own Toxiproxy (default TOXIPROXY_URL): `proxy:` faults add gameday's toxics to its existing proxies */
  toxiproxy: z.strictObject({ url: z.url({ protocol: /^https?$/, error: 'write the Toxiproxy API as http://HOST:PORT' }) }).optional(),
  /** endpoints (and the team's Toxiproxy) off loopback are refused unless allowed here or at the drill's top level */
  allowRemote: AllowRemote.optional(),
});
export type ExternalTarget = z.infer<typeof ExternalTarget>;

/**
 * A docker target: a system that already runs as containers on a Docker engine (a Compose stack or
 * anything else) — reached through its published endpoints like an external target, and its
 * containers, selected by their labels, are what `driver: docker` faults act on (through the
 * Docker API: DOCKER_HOST, else the local socket; an engine off loopback needs allowRemote).
 */
export const DockerTarget = ExternalTarget.extend({
  kind: z.literal('docker'),
  containers: z.strictObject({
    /** every label must match, e.g. { com.docker.compose.project: shop, com.docker.compose.service: api } */
    labels: z.record(z.string().min(1), z.string()).refine((l) => Object.keys(l).length > 0, 'select the containers by at least one label, e.g. { com.docker.compose.project: shop }'),
    /** the label naming a container's zone (az-failure); default "zone" */
    zoneLabel: z.string().min(1).default('zone'),
  }),
});
export type DockerTarget = z.infer<typeof DockerTarget>;

/** The namespace of the workloads: a DNS label (RFC 1123), as the API server requires. */
const Namespace = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'a namespace is at most 63 lower-case letters, digits and "-", beginning and ending with a letter or digit');

/**
 * A kubernetes target: workloads that already run on a cluster — reached through their endpoints
 * like an external target — whose pods, selected by namespace and label selector, are what
 * `driver: kubernetes` faults act on, through the Kubernetes API (the kubeconfig's API server: off
 * loopback it needs allowRemote listing its host, or the context in allowRemote.contexts).
 */
export const KubernetesTarget = ExternalTarget.extend({
  kind: z.literal('kubernetes'),
  kubernetes: z.strictObject({
    namespace: Namespace,
    /** the pods the faults pick from, as kubectl -l takes it: "app=checkout,tier in (web,api)" */
    labelSelector: LabelSelector.refine((s) => s.trim() !== '', 'select the pods by at least one label, e.g. "app=checkout" (an empty selector selects every pod of the namespace)'),
    /** default: KUBECONFIG (its files merged), else ~/.kube/config — as @kubernetes/client-node's loadFromDefault; relative to the drill's folder */
    kubeconfig: z.string().min(1).optional(),
    /** a context of the kubeconfig (default its current-context) */
    context: z.string().min(1).optional(),
    /** the node label naming a node's zone (az-failure) */
    zoneLabel: z.string().min(1).default('topology.kubernetes.io/zone'),
  }),
});
export type KubernetesTarget = z.infer<typeof KubernetesTarget>;

/** A system gameday did not start: external, docker (external plus its containers) or kubernetes (plus its pods). */
export type RunningTarget = ExternalTarget | DockerTarget | KubernetesTarget;

// the one rule for every remote thing a drill may reach (endpoints, Toxiproxy, Docker, Kubernetes)
export { remoteRefusal } from '../platform/remote.ts';
