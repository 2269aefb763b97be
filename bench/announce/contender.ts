import type { PhaseTimings } from './ironlb-adapter.ts';
import type { Family } from './receiver.ts';

/**
 * A sender in the announce benchmark. The harness starts it for one case
 * (its routes are prepared then, untimed), then times announce() and
 * withdraw() against the receiving BIRD's route count.
 */

export interface SenderEnv {
  /** Work directory (removed afterwards). */
  readonly dir: string;
  /** The receiving BIRD. */
  readonly receiverAddress: string;
  readonly receiverPort: number;
  readonly receiverAsn: number;
  /** This contender's own loopback address and AS. */
  readonly localAddress: string;
  readonly localAsn: number;
  /** Set for contenders the receiver dials (they listen on localAddress:listenPort). */
  readonly listenPort?: number;
  /** A spare port on localAddress (gobgpd's gRPC). */
  readonly apiPort: number;
  /** Node's compile cache for ironlb processes, shared by the run (bench/lib/compile-cache.ts). */
  readonly compileCacheDir: string;
}

export interface RouteSet {
  readonly family: Family;
  readonly prefixes: readonly string[];
  /** Next hop every route carries (the sender itself for IPv4). */
  readonly nextHop: string;
}

export interface RunningSender {
  /** How it announces, said in the results ("gRPC AddPathStream, 1000 paths per message"). */
  readonly method: string;
  /**
   * Hands every route to the peer; resolves when handed over (arrival is timed
   * by the harness), optionally with the sender's own phase timings in ms.
   */
  announce(): Promise<PhaseTimings | void>;
  /** Withdraws every route; undefined when the method has no way to (then withdrawal is not measured). */
  readonly withdraw: (() => Promise<PhaseTimings | void>) | undefined;
  /** VmHWM of the sending process, KiB. */
  peakRssKiB(): number | undefined;
  /** An error when the sender died. */
  failure(): Error | undefined;
  stop(): Promise<void>;
}

export interface AnnounceContender {
  readonly id: string;
  readonly label: string;
  /**
   * 'trigger': started once per case, announce()/withdraw() are timed per repetition.
   * 'established': routes are in the sender's configuration; each repetition starts it,
   * timed from the session's Established (BIRD's timestamp) to the last route's import.
   */
  readonly timing: 'trigger' | 'established';
  /** Whether the receiving BIRD dials it (it listens) instead of accepting its connection. */
  readonly listens: boolean;
  /** Why it cannot run here (missing binary or module), or undefined. */
  unavailable(): string | undefined;
  start(env: SenderEnv, routes: RouteSet): Promise<RunningSender>;
}

/** The first line of an error that says a command is missing, or undefined when it is installed. */
export function missingCommand(command: string, installed: boolean): string | undefined {
  return installed
    ? undefined
    : `${command} is not installed (apt-get install bird2 gobgpd exabgp)`;
}
