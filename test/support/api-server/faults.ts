import type { Verb } from './handlers.ts';
import { ApiError, reasonForCode, type StatusReason } from './status.ts';

/**
 * Fault injection for reliability tests: error answers for the next N
 * matching requests, added latency, watches forced to 410. (Dropping open
 * watches and compacting history act at once; see the server's `faults`.)
 */

/** Which requests a rule applies to; every field given must match. */
export interface RequestMatch {
  /** One verb or several: get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb?: Verb | readonly Verb[];
  /** The plural (`services`), or qualified by group (`leases.coordination.k8s.io`). */
  readonly resource?: string;
  /** '' for the main resource only, 'status' for the status subresource only; unset for both. */
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
}

export interface ErrorInjection extends RequestMatch {
  /** HTTP code of the answer (500, 503, 429, 409, ...). */
  readonly code: number;
  /** How many matching requests fail; default 1, Infinity until cleared. */
  readonly count?: number;
  readonly reason?: StatusReason;
  readonly message?: string;
  /** Sent as Retry-After and in the Status details (429, 503). */
  readonly retryAfterSeconds?: number;
}

export interface LatencyRule extends RequestMatch {
  readonly milliseconds: number;
}

/** What a request is about, as the fault rules see it. */
export interface RequestFacts {
  readonly verb: Verb;
  readonly group: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

function matches(rule: RequestMatch, facts: RequestFacts): boolean {
  if (rule.verb !== undefined) {
    const verbs: readonly Verb[] = typeof rule.verb === 'string' ? [rule.verb] : rule.verb;
    if (!verbs.includes(facts.verb)) return false;
  }
  if (rule.resource !== undefined) {
    const qualified = facts.group === '' ? facts.resource : `${facts.resource}.${facts.group}`;
    if (rule.resource !== facts.resource && rule.resource !== qualified) return false;
  }
  if (rule.subresource !== undefined && rule.subresource !== facts.subresource) return false;
  if (rule.namespace !== undefined && rule.namespace !== facts.namespace) return false;
  if (rule.name !== undefined && rule.name !== facts.name) return false;
  return true;
}

interface PendingError {
  readonly rule: ErrorInjection;
  remaining: number;
}

export class FaultRules {
  #errors: PendingError[] = [];
  #latency: LatencyRule[] = [];
  #expiredWatches = 0;

  /** The next `count` requests matching `rule` get an error Status with `code`. */
  failRequests(rule: ErrorInjection): void {
    this.#errors.push({ rule, remaining: rule.count ?? 1 });
  }

  /** The next `count` watch requests get an ERROR event with a 410 Expired Status. */
  expireWatches(count = 1): void {
    this.#expiredWatches += count;
  }

  /** Every matching request waits this long before it is handled. */
  addLatency(rule: LatencyRule): void {
    this.#latency.push(rule);
  }

  /** Failures still to be injected (over all rules). */
  get pendingFailures(): number {
    return this.#errors.reduce((sum, e) => sum + e.remaining, 0) + this.#expiredWatches;
  }

  clear(): void {
    this.#errors = [];
    this.#latency = [];
    this.#expiredWatches = 0;
  }

  /** Consumes one injected error for this request, if any rule matches. */
  takeError(facts: RequestFacts): ApiError | undefined {
    const pending = this.#errors.find((e) => e.remaining > 0 && matches(e.rule, facts));
    if (pending === undefined) return undefined;
    pending.remaining--;
    this.#errors = this.#errors.filter((e) => e.remaining > 0);
    const { rule } = pending;
    const message =
      rule.message ?? `injected fault: ${rule.code} for ${facts.verb} ${facts.resource}`;
    const details =
      rule.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: rule.retryAfterSeconds };
    return new ApiError(rule.code, rule.reason ?? reasonForCode(rule.code), message, details);
  }

  takeWatchExpiry(): boolean {
    if (this.#expiredWatches === 0) return false;
    this.#expiredWatches--;
    return true;
  }

  latencyFor(facts: RequestFacts): number {
    return this.#latency
      .filter((r) => matches(r, facts))
      .reduce((sum, r) => sum + r.milliseconds, 0);
  }
}
