// Process driver: the SUT's replicas as local processes with labels (zone). pod-kill is a
// SIGKILL of one replica, restarted after a delay as a deployment would; az-failure kills
// every replica of a zone together, back when the fault is reverted.
import net from 'node:net';
import { DeferredRestarts } from './restarts.ts';
import { assertSupported, type FaultDriver, type FaultRequest, type InjectedFault } from './driver.ts';

/** What the driver may do to one replica; the environment that started it implements it. */
export interface ReplicaHandle {
  /** unique name, e.g. "partner-hub-r0" */
  name: string;
  zone: string;
  port: number;
  alive(): boolean;
  /** SIGKILL; resolves once the process is gone */
  kill(): Promise<void>;
  /** starts it again (same port, same environment); resolves once it answers its health check */
  restart(): Promise<void>;
}

/** True when nothing accepts connections on 127.0.0.1:port (ECONNREFUSED). */
export function portRefuses(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (refused: boolean) => {
      socket.destroy();
      resolve(refused);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(false));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

export class ProcessDriver implements FaultDriver {
  readonly name = 'process' as const;
  private readonly restarts = new DeferredRestarts();

  /** `replicas` are every replica the run started; targets are chosen by name. */
  constructor(private readonly replicas: () => ReplicaHandle[]) {}

  private targets(request: FaultRequest): ReplicaHandle[] {
    const all = this.replicas();
    const found = request.targets.map((name) => all.find((r) => r.name === name));
    const missing = request.targets.filter((_, i) => !found[i]);
    if (missing.length) throw new Error(`no replica named ${missing.join(', ')} in this run`);
    return found as ReplicaHandle[];
  }

  async inject(request: FaultRequest): Promise<InjectedFault> {
    assertSupported(this.name, request.action);
    const victims = this.targets(request);
    if (victims.length === 0) throw new Error(`fault ${request.name} selects no replica`);
    const injected: InjectedFault = { request, applied: [] };
    await Promise.all(victims.map((r) => r.kill()));
    for (const r of victims) {
      // observed to bite: the replica's port refuses connections
      if (r.alive() || !(await portRefuses(r.port))) throw new Error(`replica ${r.name} still answers on port ${r.port} after SIGKILL`);
      injected.applied.push({ target: r.name, ref: `killed port ${r.port}` });
    }
    const restartAfter = request.action === 'pod-kill' ? request.params.restartAfter : undefined;
    if (request.action === 'pod-kill' && restartAfter !== undefined) {
      // the deployment brings the pod back on its own; revert only makes sure it did
      this.restarts.schedule(request.name, restartAfter, victims.map((r) => () => r.restart()));
    }
    return injected;
  }

  async revert(fault: InjectedFault | FaultRequest): Promise<void> {
    const request = 'request' in fault ? fault.request : fault;
    await this.restarts.settle(request.name);
    const victims = this.targets(request);
    await Promise.all(victims.filter((r) => !r.alive()).map((r) => r.restart()));
    for (const r of victims) {
      if (!r.alive() || (await portRefuses(r.port))) throw new Error(`replica ${r.name} is not back on port ${r.port}`);
    }
  }
}
