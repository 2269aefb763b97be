import { FakeClock } from '../../src/bgp/fake-clock.ts';
import {
  type FsmAction,
  type FsmEvent,
  type FsmState,
  fsmStep,
  initialFsmState,
} from '../../src/bgp/fsm.ts';
import type { ReceivedOpen } from '../../src/bgp/open-negotiation.ts';
import { sessionConfig, type SessionConfigInput } from '../../src/bgp/session-config.ts';
import { SessionTimers, type SessionTimersOptions } from '../../src/bgp/session-timers.ts';

/** The speaker of the reference data center: AS 64698 towards the node's BIRD in AS 64699. */
export const TEST_CONFIG: SessionConfigInput = {
  localAs: 64698,
  peerAs: 64699,
  routerId: '10.0.0.1',
};

/** A valid OPEN from the peer of TEST_CONFIG. */
export function peerOpen(overrides: Partial<ReceivedOpen> = {}): ReceivedOpen {
  return {
    version: 4,
    peerAs: 64699,
    holdTimeSeconds: 90,
    bgpIdentifier: 0x0a000002,
    capabilities: {
      families: [
        { afi: 1, safi: 1 },
        { afi: 2, safi: 1 },
      ],
      fourOctetAs: true,
      routeRefresh: true,
      gracefulRestart: undefined,
    },
    ...overrides,
  };
}

/**
 * One FSM wired to SessionTimers on a FakeClock, as the session will wire it
 * (minus sockets): every action is logged, timer actions are carried out, and
 * timer expiries come back as events.
 */
export class FsmHarness {
  readonly clock = new FakeClock();
  readonly timers: SessionTimers;
  readonly log: Array<{ at: number; action: FsmAction }> = [];
  state: FsmState;

  constructor(
    config: Partial<SessionConfigInput> = {},
    options: SessionTimersOptions = {},
    seed = 1,
  ) {
    this.state = initialFsmState(sessionConfig({ ...TEST_CONFIG, ...config }), seed);
    this.timers = new SessionTimers(this.clock, (event) => this.feed(event), options);
  }

  feed(...events: FsmEvent[]): FsmAction[] {
    const actions: FsmAction[] = [];
    for (const event of events) {
      const step = fsmStep(this.state, event);
      this.state = step.state;
      for (const action of step.actions) this.log.push({ at: this.clock.now(), action });
      this.timers.apply(step.actions);
      actions.push(...step.actions);
    }
    return actions;
  }

  /** Brings the session to Established with the given peer OPEN. */
  establish(open: ReceivedOpen = peerOpen()): void {
    this.feed(
      { type: 'ManualStart', passive: false },
      { type: 'Tcp_CR_Acked' },
      { type: 'BGPOpen', open },
      { type: 'KeepAliveMsg' },
    );
  }

  actionsOfType<T extends FsmAction['type']>(type: T): Array<Extract<FsmAction, { type: T }>> {
    return this.log
      .map((entry) => entry.action)
      .filter((action): action is Extract<FsmAction, { type: T }> => action.type === type);
  }

  /** Clock times at which actions of a type happened. */
  timesOf(type: FsmAction['type']): number[] {
    return this.log.filter((entry) => entry.action.type === type).map((entry) => entry.at);
  }
}
