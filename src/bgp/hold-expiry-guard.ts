/**
 * A false hold-timer expiry: when the event loop was blocked (a long GC, a big
 * config reload), the hold timer's callback can run late while the peer's
 * KEEPALIVEs sit unread in the socket. Tearing the session down then would be
 * our fault, not the peer's. The session therefore first yields so pending
 * input is read (setImmediate runs after the poll phase), then asks here.
 */

export interface HoldExpiryInput {
  /** Clock time (ms) when something last arrived from the peer on this connection. */
  readonly lastReceivedAt: number;
  readonly now: number;
  /** The hold time the timer ran for, in ms. */
  readonly holdTimeMs: number;
  /** Whether the session has read everything the socket had buffered. */
  readonly pendingInputDrained: boolean;
}

export type HoldExpiryDecision =
  | { readonly kind: 'expired'; readonly silentForMs: number }
  | { readonly kind: 'rearm'; readonly delayMs: number; readonly reason: string };

/** How soon to look again when input is still unread. */
export const UNDRAINED_RECHECK_MS = 100;

export function decideHoldExpiry(input: HoldExpiryInput): HoldExpiryDecision {
  const silentForMs = Math.max(0, input.now - input.lastReceivedAt);
  if (silentForMs < input.holdTimeMs) {
    return {
      kind: 'rearm',
      delayMs: input.holdTimeMs - silentForMs,
      reason: `the peer was heard ${silentForMs} ms ago, within the ${input.holdTimeMs} ms hold time`,
    };
  }
  if (!input.pendingInputDrained) {
    return {
      kind: 'rearm',
      delayMs: Math.min(UNDRAINED_RECHECK_MS, input.holdTimeMs),
      reason: 'input from the peer is still unread; it may hold a message',
    };
  }
  return { kind: 'expired', silentForMs };
}
