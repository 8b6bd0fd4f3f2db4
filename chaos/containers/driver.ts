// Containers driver: faults on the containers of a ContainerTopology, carried out on the real
// Docker engine.
//   pod-kill    SIGKILL of the target containers (docker kill); started again after
//               params.restartAfter, as a deployment would bring the pod back, else on revert
//   az-failure  every container of the zone stopped at once (docker stop -t 0: power gone); with
//               params.mode = disconnect, cut off from the network instead (still running)
//   partition   the target containers disconnected from the run's network: Toxiproxy (and every
//               other container) can no longer reach them; reconnected on revert
// Targets are replica names ("partner-hub-r0") or label selectors ("zone=a"). Each inject is
// checked on the engine (not running / not attached) and from outside (the published port refuses,
// the request through the replica's proxy fails); each revert is checked the same way (running,
// attached, healthy directly and through its proxy). Revert is safe to call twice.
import { DeferredRestarts } from '../restarts.ts';
import { assertSupported, type FaultDriver, type FaultRequest, type InjectedFault } from '../driver.ts';
import { portRefuses } from '../process.ts';
import { waitHealthy } from '../../src/platform/processes.ts';
import { selectContainers } from './labels.ts';
import { connectContainer, containerState, disconnectContainer, killContainer, startContainer, stopContainer, type ContainerReplica, type ContainerTopology } from './topology.ts';

/** A request through `url` fails (refused, reset, closed, or no answer within `timeoutMs`)? */
async function requestFails(url: string, timeoutMs = 3000): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.ok ? null : `HTTP ${res.status}`;
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    return e.cause?.code ?? e.cause?.message ?? e.name;
  }
}

export class ContainersDriver implements FaultDriver {
  readonly name = 'containers' as const;
  private readonly restarts = new DeferredRestarts();

  constructor(private readonly topology: ContainerTopology) {}

  private targets(request: FaultRequest): ContainerReplica[] {
    return selectContainers(this.topology.replicas, request.targets);
  }

  /** how the fault cuts a replica off: the container is gone, or only its network is */
  private mode(request: FaultRequest): 'kill' | 'stop' | 'disconnect' {
    if (request.action === 'pod-kill') return 'kill';
    if (request.action === 'partition') return 'disconnect';
    return request.action === 'az-failure' && request.params.mode === 'disconnect' ? 'disconnect' : 'stop';
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    assertSupported(this.name, request.action);
    const { client, network } = this.topology;
    const victims = this.targets(request);
    const mode = this.mode(request);
    const injected: InjectedFault = { request, applied: [] };
    await Promise.all(
      victims.map((r) =>
        mode === 'kill' ? killContainer(client, r.containerId) : mode === 'stop' ? stopContainer(client, r.containerId) : disconnectContainer(client, network.id, r.containerId),
      ),
    );
    // checked in parallel: a cut-off replica is seen through a request that has to time out
    const refs = await Promise.all(
      victims.map(async (r) => {
        const state = await containerState(client, r.containerId, network.id);
        if (mode === 'disconnect') {
          if (state.connected) throw new Error(`container ${r.containerName} is still attached to network ${network.name} after disconnecting it`);
          // observed to bite: Toxiproxy, on the network, cannot reach it any more
          const failure = await requestFails(`${r.proxyUrl}${this.topology.service.healthPath}`);
          if (!failure) throw new Error(`replica ${r.name} still answers through its proxy after being disconnected from ${network.name}`);
          return `disconnected ${r.containerName} from ${network.name} (through its proxy: ${failure})`;
        }
        if (state.running) throw new Error(`container ${r.containerName} is still running after docker ${mode}`);
        if (!(await portRefuses(r.hostPort))) throw new Error(`replica ${r.name} still accepts connections on 127.0.0.1:${r.hostPort} after docker ${mode}`);
        return `${mode === 'kill' ? 'killed' : 'stopped'} ${r.containerName} (${state.status}; port ${r.hostPort} refuses)`;
      }),
    );
    victims.forEach((r, i) => injected.applied.push({ target: r.name, ref: refs[i] }));
    const restartAfter = request.action === 'pod-kill' ? request.params.restartAfter : undefined;
    if (request.action === 'pod-kill' && restartAfter !== undefined) {
      // the deployment brings the pod back on its own; revert only makes sure it did
      this.restarts.schedule(request.name, restartAfter, victims.map((r) => () => this.bringBack(r)));
    }
    return injected;
  }

  /** Started and attached again; resolves once it answers its health check. */
  private async bringBack(r: ContainerReplica): Promise<void> {
    const { client, network, service } = this.topology;
    const state = await containerState(client, r.containerId, network.id);
    if (!state.connected) await connectContainer(client, network.id, r.containerId);
    if (!state.running) await startContainer(client, r.containerId);
    await waitHealthy(`${r.url}${service.healthPath}`, service.startTimeoutMs);
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    await this.restarts.settle(request.name);
    const victims = this.targets(request);
    const problems: string[] = [];
    await Promise.all(
      victims.map(async (r) => {
        try {
          await this.bringBack(r);
          const { client, network, service } = this.topology;
          const state = await containerState(client, r.containerId, network.id);
          if (!state.running || !state.connected) throw new Error(`container ${r.containerName} is ${state.running ? 'running' : state.status} and ${state.connected ? 'attached' : 'not attached'}`);
          // back on the path a client takes: Toxiproxy reaches it again
          await waitHealthy(`${r.proxyUrl}${service.healthPath}`, 10_000);
        } catch (err) {
          problems.push(`${r.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    );
    if (problems.length) throw new Error(`fault ${request.name} (${request.action}) is not reverted: ${problems.join('; ')}`);
  }
}
