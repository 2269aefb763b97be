import { Buffer } from 'node:buffer';
import { formatAddress, parseAddress } from '../ipam/address.ts';
import { configError, objectRef, type ConfigError, type ObjectIdentity } from './config-error.ts';
import type { Peer } from './config-types.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { ConfigErrors } from './errors.ts';
import { compareStrings } from './field-path.ts';
import { canonicalSelector } from './label-selector.ts';
import { normaliseSelectors } from './parse-selectors.ts';
import type { BGPPeerSpec } from './schema/bgp-peer.ts';
import { Defaults } from './schema/common.ts';
import { SecretValue } from './secret-value.ts';

export interface ValidPeerObject {
  readonly identity: ObjectIdentity;
  readonly spec: BGPPeerSpec;
}

/**
 * Returns the Secret `namespace/name` (a v1 Secret object as the API returns
 * it: `type`, base64 `data`), or undefined when there is none. May throw; the
 * parse turns that into an error.
 */
export type SecretLookup = (namespace: string, name: string) => unknown;

/** RFC 6793 §2: AS_TRANS stands in for 4-byte ASNs on 2-byte sessions; it is never a real AS. */
const AS_TRANS = 23456;
/** Linux TCP_MD5SIG_MAXKEYLEN. */
const TCP_MD5_MAX_KEY_BYTES = 80;
const MAX_BGP_SECONDS = 65535;
/** RFC 4724 §3: the Restart Time field has 12 bits. */
const MAX_RESTART_SECONDS = 4095;
const BASIC_AUTH = 'kubernetes.io/basic-auth';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function secretPassword(
  lookup: SecretLookup | undefined,
  namespace: string,
  name: string,
): { ok: true; value: SecretValue } | { ok: false; reason: string } {
  const ref = objectRef(namespace, name);
  if (lookup === undefined)
    return { ok: false, reason: `Secret ${ref} cannot be read (no Secret lookup given)` };
  let secret: unknown;
  try {
    secret = lookup(namespace, name);
  } catch (err) {
    return {
      ok: false,
      reason: `Secret ${ref} could not be read: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  if (secret === undefined || secret === null)
    return { ok: false, reason: `Secret ${ref} does not exist` };
  if (!isRecord(secret)) return { ok: false, reason: `Secret ${ref} is not an object` };
  if (secret['type'] !== BASIC_AUTH) {
    return {
      ok: false,
      reason: `Secret ${ref} has type ${JSON.stringify(secret['type'] ?? 'Opaque')}, expected ${BASIC_AUTH}`,
    };
  }
  const data = secret['data'];
  const stringData = secret['stringData'];
  const encoded = isRecord(data) && Object.hasOwn(data, 'password') ? data['password'] : undefined;
  if (typeof encoded === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
      return { ok: false, reason: `Secret ${ref}: data.password is not valid base64` };
    }
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.byteLength === 0)
      return { ok: false, reason: `Secret ${ref}: the password is empty` };
    return { ok: true, value: new SecretValue(bytes) };
  }
  // stringData only exists in objects that did not come from the API server (e.g. files).
  const plain =
    isRecord(stringData) && Object.hasOwn(stringData, 'password')
      ? stringData['password']
      : undefined;
  if (typeof plain === 'string' && plain !== '')
    return { ok: true, value: SecretValue.fromText(plain) };
  return { ok: false, reason: `Secret ${ref} has no "password" key` };
}

/** A duration field in ms, or an error reason. */
function durationMs(text: string): number | string {
  const parsed = parseDuration(text);
  return parsed.ok ? parsed.value : parsed.reason;
}

function wholeSeconds(ms: number): boolean {
  return ms % 1000 === 0;
}

function parsePeer(
  { identity, spec }: ValidPeerObject,
  lookupSecret: SecretLookup | undefined,
  errors: ConfigError[],
): Peer | undefined {
  const before = errors.length;
  const fail = (code: { code: string }, field: string, reason: string) => {
    errors.push(configError(identity, code, field, reason));
  };

  for (const field of ['myASN', 'peerASN'] as const) {
    if (spec[field] === AS_TRANS) {
      fail(
        ConfigErrors.IRONLB_ERR_CONFIG_BAD_ASN,
        `spec.${field}`,
        `${AS_TRANS} is AS_TRANS (RFC 6793), not a usable AS number`,
      );
    }
  }

  const peerAddress = parseAddress(spec.peerAddress);
  if (!peerAddress.ok)
    fail(ConfigErrors.IRONLB_ERR_CONFIG_BAD_ADDRESS, 'spec.peerAddress', peerAddress.reason);
  let sourceAddress: string | undefined;
  if (spec.sourceAddress !== undefined) {
    const source = parseAddress(spec.sourceAddress);
    if (!source.ok)
      fail(ConfigErrors.IRONLB_ERR_CONFIG_BAD_ADDRESS, 'spec.sourceAddress', source.reason);
    else if (peerAddress.ok && source.value.family !== peerAddress.value.family) {
      fail(
        ConfigErrors.IRONLB_ERR_CONFIG_BAD_ADDRESS,
        'spec.sourceAddress',
        `is IPv${source.value.family} but peerAddress is IPv${peerAddress.value.family}`,
      );
    } else sourceAddress = formatAddress(source.value.family, source.value.value);
  }
  let routerID: string | undefined;
  if (spec.routerID !== undefined) {
    const id = parseAddress(spec.routerID);
    if (!id.ok || id.value.family !== 4) {
      fail(
        ConfigErrors.IRONLB_ERR_CONFIG_BAD_ADDRESS,
        'spec.routerID',
        `"${spec.routerID}" is not an IPv4 address (the BGP identifier is 32 bits)`,
      );
    } else if (id.value.value === 0n) {
      // RFC 6286 §2.1: the BGP Identifier must be non-zero.
      fail(ConfigErrors.IRONLB_ERR_CONFIG_BAD_ADDRESS, 'spec.routerID', 'must not be 0.0.0.0');
    } else routerID = formatAddress(4, id.value.value);
  }

  // RFC 4271 §4.2: Hold Time is 0 or at least three seconds, carried in whole seconds.
  const hold = durationMs(spec.holdTime ?? Defaults.holdTime);
  let holdTimeMs = 0;
  if (typeof hold === 'string') fail(ConfigErrors.IRONLB_ERR_CONFIG_TIMER, 'spec.holdTime', hold);
  else if (!wholeSeconds(hold))
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
      'spec.holdTime',
      `${spec.holdTime} is not a whole number of seconds (BGP carries seconds)`,
    );
  else if (hold > 0 && hold < 3000)
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
      'spec.holdTime',
      `must be 0 or at least 3s (RFC 4271), got ${spec.holdTime}`,
    );
  else if (hold > MAX_BGP_SECONDS * 1000)
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
      'spec.holdTime',
      `must be at most ${MAX_BGP_SECONDS}s, got ${spec.holdTime}`,
    );
  else holdTimeMs = hold;

  let keepaliveTimeMs: number | undefined;
  if (spec.keepaliveTime !== undefined) {
    const keepalive = durationMs(spec.keepaliveTime);
    if (typeof keepalive === 'string')
      fail(ConfigErrors.IRONLB_ERR_CONFIG_TIMER, 'spec.keepaliveTime', keepalive);
    else if (typeof hold === 'number' && keepalive > hold) {
      fail(
        ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
        'spec.keepaliveTime',
        `${spec.keepaliveTime} is longer than the hold time ${formatDuration(hold)}`,
      );
    } else if (keepalive === 0 && typeof hold === 'number' && hold > 0) {
      fail(
        ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
        'spec.keepaliveTime',
        'must be more than 0 when the hold time is not 0 (the peer would time out)',
      );
    } else keepaliveTimeMs = keepalive;
  }

  const connect = durationMs(spec.connectTime ?? Defaults.connectTime);
  let connectTimeMs = 0;
  if (typeof connect === 'string')
    fail(ConfigErrors.IRONLB_ERR_CONFIG_TIMER, 'spec.connectTime', connect);
  else if (connect < 1000 || connect > MAX_BGP_SECONDS * 1000) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
      'spec.connectTime',
      `must be between 1s and ${MAX_BGP_SECONDS}s, got ${spec.connectTime}`,
    );
  } else connectTimeMs = connect;

  const enableGracefulRestart = spec.enableGracefulRestart ?? Defaults.enableGracefulRestart;
  const restart = durationMs(spec.gracefulRestartTime ?? Defaults.gracefulRestartTime);
  let gracefulRestartTimeMs = 0;
  if (spec.gracefulRestartTime !== undefined && !enableGracefulRestart) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_PEER_CONFLICT,
      'spec.gracefulRestartTime',
      'is set but enableGracefulRestart is not true',
    );
  }
  if (typeof restart === 'string')
    fail(ConfigErrors.IRONLB_ERR_CONFIG_TIMER, 'spec.gracefulRestartTime', restart);
  else if (!wholeSeconds(restart) || restart < 1000 || restart > MAX_RESTART_SECONDS * 1000) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_TIMER,
      'spec.gracefulRestartTime',
      `must be whole seconds between 1s and ${MAX_RESTART_SECONDS}s (RFC 4724), got ${spec.gracefulRestartTime}`,
    );
  } else gracefulRestartTimeMs = restart;

  const ibgp = spec.myASN === spec.peerASN;
  const ebgpMultiHop = spec.ebgpMultiHop ?? Defaults.ebgpMultiHop;
  const ttlSecurity = spec.ttlSecurity ?? Defaults.ttlSecurity;
  if (ebgpMultiHop && ibgp) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_PEER_CONFLICT,
      'spec.ebgpMultiHop',
      'applies to eBGP only, but myASN equals peerASN (iBGP)',
    );
  }
  if (ebgpMultiHop && ttlSecurity) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_PEER_CONFLICT,
      'spec.ttlSecurity',
      'cannot be combined with ebgpMultiHop (GTSM accepts only TTL 255)',
    );
  }

  let password: SecretValue | undefined;
  if (spec.password !== undefined && spec.passwordSecret !== undefined) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_PASSWORD,
      'spec.passwordSecret',
      'password and passwordSecret are both set; use one',
    );
  } else if (spec.password !== undefined) {
    password = SecretValue.fromText(spec.password);
  } else if (spec.passwordSecret !== undefined) {
    const secretNamespace = spec.passwordSecret.namespace ?? identity.namespace;
    const secret = secretPassword(lookupSecret, secretNamespace, spec.passwordSecret.name);
    if (!secret.ok)
      fail(ConfigErrors.IRONLB_ERR_CONFIG_SECRET, 'spec.passwordSecret', secret.reason);
    else password = secret.value;
  }
  if (password !== undefined && password.byteLength > TCP_MD5_MAX_KEY_BYTES) {
    fail(
      ConfigErrors.IRONLB_ERR_CONFIG_PASSWORD,
      spec.password !== undefined ? 'spec.password' : 'spec.passwordSecret',
      `is ${password.byteLength} bytes; TCP-MD5 keys are at most ${TCP_MD5_MAX_KEY_BYTES}`,
    );
  }

  const nodeSelectors = normaliseSelectors(
    identity,
    ['spec', 'nodeSelectors'],
    spec.nodeSelectors,
    errors,
  );
  if (errors.length > before || !peerAddress.ok) return undefined;
  return {
    namespace: identity.namespace,
    name: identity.name,
    myASN: spec.myASN,
    peerASN: spec.peerASN,
    ibgp,
    peerAddress: formatAddress(peerAddress.value.family, peerAddress.value.value),
    peerAddressFamily: peerAddress.value.family,
    peerPort: spec.peerPort ?? Defaults.peerPort,
    holdTimeMs,
    keepaliveTimeMs,
    connectTimeMs,
    routerID,
    sourceAddress,
    password,
    ebgpMultiHop,
    ttlSecurity,
    enableGracefulRestart,
    gracefulRestartTimeMs,
    nodeSelectors,
  };
}

/** Two peers open the same session when address, port and node selectors agree. */
function sessionKey(peer: Peer): string {
  const selectors = peer.nodeSelectors.map(canonicalSelector).sort(compareStrings);
  return JSON.stringify([peer.peerAddress, peer.peerPort, [...new Set(selectors)]]);
}

export function parsePeers(
  objects: readonly ValidPeerObject[],
  lookupSecret: SecretLookup | undefined,
): { peers: Map<string, Peer>; errors: ConfigError[] } {
  const errors: ConfigError[] = [];
  const parsed: Peer[] = [];
  for (const object of objects) {
    const peer = parsePeer(object, lookupSecret, errors);
    if (peer !== undefined) parsed.push(peer);
  }
  parsed.sort((a, b) => compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name));
  const firstWithKey = new Map<string, Peer>();
  const peers = new Map<string, Peer>();
  for (const peer of parsed) {
    const key = sessionKey(peer);
    const first = firstWithKey.get(key);
    if (first !== undefined) {
      errors.push(
        configError(
          { kind: 'BGPPeer', namespace: peer.namespace, name: peer.name },
          ConfigErrors.IRONLB_ERR_CONFIG_DUPLICATE_PEER,
          'spec.peerAddress',
          `BGPPeer ${objectRef(first.namespace, first.name)} already has address ${peer.peerAddress}, port ${peer.peerPort} and the same node selectors`,
        ),
      );
      continue;
    }
    firstWithKey.set(key, peer);
    peers.set(objectRef(peer.namespace, peer.name), peer);
  }
  return { peers, errors };
}
