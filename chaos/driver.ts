// What every fault driver does: inject a request and return once the fault is observed in place,
// revert it (idempotently) and return once it is observed gone. Which actions a driver carries
// out, and with which parameters, is the fault registry's to say (registry.ts).
import { supports, type DriverName, type FaultAction, type FaultRequest } from './registry.ts';

export type { FaultAction, FaultRequest };

export interface InjectedFault<R = FaultRequest> {
  request: R;
  /** what was created, so that revert can remove exactly that */
  applied: Array<{ target: string; ref: string }>;
}

export interface FaultDriver<R = FaultRequest> {
  readonly name: string;
  /** Injects and returns once the fault is observed in place; throws if it could not be. */
  inject(request: R): Promise<InjectedFault<R>>;
  /** Removes the fault; safe to call twice or after a partial inject. Returns once it is observed gone. */
  revert(fault: InjectedFault<R> | R): Promise<void>;
}

/** Refuses an action the registry does not give to this driver (a drill is checked earlier; this guards direct callers). */
export function assertSupported(driver: DriverName, action: string): void {
  if (!supports(driver, action)) throw new Error(`the ${driver} driver does not support "${action}"`);
}
