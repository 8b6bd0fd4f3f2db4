// One vocabulary of faults; each driver says which of them it can carry out.

export type FaultAction =
  | 'latency'
  | 'down'
  | 'pod-kill'
  | 'az-failure'
  | 'broker-failover'
  | 'disk-full'
  | 'api-throttle'
  | 'partition'
  | 'bandwidth'
  | 'reset';

export interface FaultRequest {
  /** unique within the run */
  name: string;
  action: FaultAction;
  /** driver-specific targets (Toxiproxy: proxy names) */
  targets: string[];
  params: Record<string, number>;
}

export interface InjectedFault {
  request: FaultRequest;
  /** what was created, so that revert can remove exactly that */
  applied: Array<{ target: string; ref: string }>;
}

export interface FaultDriver {
  readonly name: string;
  readonly supports: readonly FaultAction[];
  /** Injects and returns once the fault is observed in place; throws if it could not be. */
  inject(request: FaultRequest): Promise<InjectedFault>;
  /** Removes the fault; safe to call twice or after a partial inject. Returns once it is observed gone. */
  revert(fault: InjectedFault | FaultRequest): Promise<void>;
}
