/**
 * A route as a peer daemon shows it, normalised so tests compare daemons
 * alike: communities "a:b", large communities "g:l1:l2", AS path as numbers.
 */
export interface PeerRoute {
  readonly prefix: string;
  readonly nextHop: string;
  readonly asPath: readonly number[];
  readonly communities: readonly string[];
  readonly largeCommunities: readonly string[];
  readonly localPref: number | undefined;
  readonly med: number | undefined;
}

/** What the tests announce, as a peer should show it back. */
export interface ExpectedRoute {
  readonly prefix: string;
  readonly nextHop?: string;
  readonly asPath?: readonly number[];
  readonly communities?: readonly string[];
  readonly largeCommunities?: readonly string[];
  readonly localPref?: number | undefined;
  readonly med?: number | undefined;
}

/** The fields of `actual` that `expected` names, for a deepEqual against `expected`. */
export function comparable(actual: PeerRoute, expected: ExpectedRoute): ExpectedRoute {
  return {
    prefix: actual.prefix,
    ...(expected.nextHop !== undefined && { nextHop: actual.nextHop }),
    ...(expected.asPath !== undefined && { asPath: actual.asPath }),
    ...(expected.communities !== undefined && { communities: [...actual.communities].sort() }),
    ...(expected.largeCommunities !== undefined && {
      largeCommunities: [...actual.largeCommunities].sort(),
    }),
    ...(expected.localPref !== undefined && { localPref: actual.localPref }),
    ...(expected.med !== undefined && { med: actual.med }),
  };
}

export function sortedExpected(expected: ExpectedRoute): ExpectedRoute {
  return {
    ...expected,
    ...(expected.communities !== undefined && { communities: [...expected.communities].sort() }),
    ...(expected.largeCommunities !== undefined && {
      largeCommunities: [...expected.largeCommunities].sort(),
    }),
  };
}

/** The common interface of the daemons under test/support/peers/. */
export interface PeerDaemon {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Every route the daemon learned from us, both families. */
  routes(): Promise<PeerRoute[]>;
  /** The daemon reports the session Established. */
  established(): Promise<boolean>;
  /** Output tail for failure messages. */
  tail(): string;
}
