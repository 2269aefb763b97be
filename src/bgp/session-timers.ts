import type { Clock, TimerHandle } from './clock.ts';
import type { FsmAction, FsmEvent, FsmTimer } from './fsm.ts';
import { decideHoldExpiry } from './hold-expiry-guard.ts';

/** What the hold-expiry guard needs from the session's connection. */
export interface HoldExpiryCheck {
  /** Clock time of the last input from the peer (see hold-expiry-guard.ts). */
  lastReceivedAt(): number;
  /** Yields so buffered socket input is read; resolves true when nothing is left unread. */
  drainPendingInput(): Promise<boolean>;
}

export interface SessionTimersOptions {
  /** Without it a hold timer expiry is reported at once. */
  readonly holdExpiryCheck?: HoldExpiryCheck;
  /** Told about guard decisions that kept the session up, for logs. */
  readonly onHoldExpiryDeferred?: (reason: string) => void;
}

interface RunningTimer {
  handle: TimerHandle;
  readonly durationMs: number;
  dueAt: number;
  /** Changes on every (re)start and stop, so a late asynchronous check can tell it is stale. */
  readonly generation: number;
}

const EXPIRY_EVENTS: Readonly<Record<FsmTimer, FsmEvent>> = {
  connectRetry: { type: 'ConnectRetryTimer_Expires' },
  hold: { type: 'HoldTimer_Expires' },
  keepalive: { type: 'KeepaliveTimer_Expires' },
  reconnect: { type: 'AutomaticStart' },
  backoffReset: { type: 'BackoffResetTimer_Expires' },
};

/**
 * Carries out the FSM's timer actions on a Clock and feeds expiries back as
 * events. Other actions are left to the caller (pass it all of them).
 */
export class SessionTimers {
  readonly #clock: Clock;
  readonly #onEvent: (event: FsmEvent) => void;
  readonly #options: SessionTimersOptions;
  readonly #running = new Map<FsmTimer, RunningTimer>();
  #generation = 0;

  constructor(
    clock: Clock,
    onEvent: (event: FsmEvent) => void,
    options: SessionTimersOptions = {},
  ) {
    this.#clock = clock;
    this.#onEvent = onEvent;
    this.#options = options;
  }

  apply(actions: readonly FsmAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'startTimer':
          this.#start(action.timer, action.durationMs);
          break;
        case 'stopTimer':
          this.#stop(action.timer);
          break;
        case 'scheduleReconnect':
          this.#start('reconnect', action.delayMs);
          break;
        default:
          break;
      }
    }
  }

  isRunning(timer: FsmTimer): boolean {
    return this.#running.has(timer);
  }

  /** Milliseconds until the timer fires, or undefined when it is not running. */
  remainingMs(timer: FsmTimer): number | undefined {
    const running = this.#running.get(timer);
    return running === undefined ? undefined : running.dueAt - this.#clock.now();
  }

  stopAll(): void {
    for (const timer of [...this.#running.keys()]) this.#stop(timer);
  }

  #start(timer: FsmTimer, durationMs: number): void {
    this.#stop(timer);
    const generation = ++this.#generation;
    const running: RunningTimer = {
      handle: this.#clock.setTimeout(() => this.#expired(timer, generation), durationMs),
      durationMs,
      dueAt: this.#clock.now() + durationMs,
      generation,
    };
    this.#running.set(timer, running);
  }

  #stop(timer: FsmTimer): void {
    this.#running.get(timer)?.handle.cancel();
    this.#running.delete(timer);
  }

  #isCurrent(timer: FsmTimer, generation: number): boolean {
    return this.#running.get(timer)?.generation === generation;
  }

  #expired(timer: FsmTimer, generation: number): void {
    if (!this.#isCurrent(timer, generation)) return;
    const check = this.#options.holdExpiryCheck;
    if (timer !== 'hold' || check === undefined) {
      this.#running.delete(timer);
      this.#onEvent(EXPIRY_EVENTS[timer]);
      return;
    }
    void check.drainPendingInput().then(
      (drained) => this.#confirmHoldExpiry(generation, check, drained),
      () => this.#confirmHoldExpiry(generation, check, false),
    );
  }

  #confirmHoldExpiry(generation: number, check: HoldExpiryCheck, drained: boolean): void {
    const running = this.#running.get('hold');
    // Input read while draining may have restarted or stopped the timer: nothing to decide.
    if (running === undefined || running.generation !== generation) return;
    const decision = decideHoldExpiry({
      lastReceivedAt: check.lastReceivedAt(),
      now: this.#clock.now(),
      holdTimeMs: running.durationMs,
      pendingInputDrained: drained,
    });
    if (decision.kind === 'expired') {
      this.#running.delete('hold');
      this.#onEvent(EXPIRY_EVENTS.hold);
      return;
    }
    this.#options.onHoldExpiryDeferred?.(decision.reason);
    running.handle = this.#clock.setTimeout(
      () => this.#expired('hold', generation),
      decision.delayMs,
    );
    running.dueAt = this.#clock.now() + decision.delayMs;
  }
}
