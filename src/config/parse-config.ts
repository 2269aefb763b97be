import { IronlbError } from '../common/errors.ts';
import {
  configError,
  formatConfigError,
  objectRef,
  sortConfigErrors,
  type ConfigError,
  type ObjectIdentity,
} from './config-error.ts';
import type { IronlbConfig } from './config-types.ts';
import { ConfigErrors } from './errors.ts';
import { compareStrings } from './field-path.ts';
import type { Labels } from './label-selector.ts';
import { parseAdvertisements } from './parse-advertisements.ts';
import { parseCommunities } from './parse-communities.ts';
import { parsePeers, type SecretLookup } from './parse-peers.ts';
import { parsePools } from './parse-pools.ts';
import { BGPAdvertisementSpecSchema } from './schema/bgp-advertisement.ts';
import { BGPPeerSpecSchema } from './schema/bgp-peer.ts';
import { CommunitySpecSchema } from './schema/community.ts';
import { IPAddressPoolSpecSchema } from './schema/ip-address-pool.ts';
import { objectValidator, type ObjectValidator } from './validate-object.ts';

/**
 * Everything the configuration is made of, as read from the API (or from
 * files). Objects are untrusted: anything may be in these lists.
 */
export interface ConfigObjects {
  readonly ipAddressPools?: readonly unknown[];
  readonly bgpPeers?: readonly unknown[];
  readonly bgpAdvertisements?: readonly unknown[];
  readonly communities?: readonly unknown[];
  /** Reads the Secrets BGPPeers name in passwordSecret (e.g. from an informer cache). */
  readonly lookupSecret?: SecretLookup;
}

export type ParseConfigResult =
  | { readonly ok: true; readonly config: IronlbConfig }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };

const poolValidator = objectValidator('IPAddressPool', IPAddressPoolSpecSchema);
const peerValidator = objectValidator('BGPPeer', BGPPeerSpecSchema);
const advertisementValidator = objectValidator('BGPAdvertisement', BGPAdvertisementSpecSchema);
const communityValidator = objectValidator('Community', CommunitySpecSchema);

interface Checked<Spec> {
  /** Schema-valid, unique objects. */
  readonly valid: { identity: ObjectIdentity; spec: Spec; labels: Labels }[];
  /** `namespace/name` of every object given, valid or not. */
  readonly names: Set<string>;
}

/**
 * Schema validation of one list, plus duplicate identities (only possible
 * with objects from files): every copy is refused, since which one was meant
 * cannot be known.
 */
function checkObjects<Spec>(
  validator: ObjectValidator<Spec>,
  objects: readonly unknown[] | undefined,
  errors: ConfigError[],
): Checked<Spec> {
  const names = new Set<string>();
  const counts = new Map<string, number>();
  const results = (objects ?? []).map((object) => validator.validate(object));
  for (const { identity } of results) {
    const key = objectRef(identity.namespace, identity.name);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    names.add(key);
  }
  const valid: Checked<Spec>['valid'] = [];
  for (const result of results) {
    const { identity } = result;
    const duplicated =
      identity.name !== '' && (counts.get(objectRef(identity.namespace, identity.name)) ?? 0) > 1;
    if (duplicated) {
      errors.push(
        configError(
          identity,
          ConfigErrors.IRONLB_ERR_CONFIG_DUPLICATE_OBJECT,
          'metadata.name',
          `another ${validator.kind} has the same namespace and name`,
        ),
      );
    }
    if (!result.ok) errors.push(...result.errors);
    else if (!duplicated) valid.push({ identity, spec: result.spec, labels: result.labels });
  }
  valid.sort(
    (a, b) =>
      compareStrings(a.identity.namespace, b.identity.namespace) ||
      compareStrings(a.identity.name, b.identity.name),
  );
  return { valid, names };
}

/**
 * The one configuration parse, shared by the controller, the speakers, the
 * webhooks and the CLI: untrusted objects in, a normalised configuration or
 * every error out. Pure and deterministic (no I/O except `lookupSecret`; the
 * result does not depend on the order of the objects), and it never throws.
 */
export function parseConfig(objects: ConfigObjects): ParseConfigResult {
  const errors: ConfigError[] = [];
  const pools = checkObjects(poolValidator, objects.ipAddressPools, errors);
  const peers = checkObjects(peerValidator, objects.bgpPeers, errors);
  const advertisements = checkObjects(advertisementValidator, objects.bgpAdvertisements, errors);
  const communities = checkObjects(communityValidator, objects.communities, errors);

  const parsedCommunities = parseCommunities(communities.valid);
  const parsedPools = parsePools(pools.valid);
  const parsedPeers = parsePeers(peers.valid, objects.lookupSecret);
  const parsedAdvertisements = parseAdvertisements(advertisements.valid, {
    pools: parsedPools.pools,
    poolNames: pools.names,
    peers: parsedPeers.peers,
    peerNames: peers.names,
    aliases: parsedCommunities.aliases,
  });
  errors.push(
    ...parsedCommunities.errors,
    ...parsedPools.errors,
    ...parsedPeers.errors,
    ...parsedAdvertisements.errors,
  );
  if (errors.length > 0) return { ok: false, errors: sortConfigErrors(errors) };
  return {
    ok: true,
    config: {
      pools: [...parsedPools.pools.values()],
      peers: [...parsedPeers.peers.values()],
      advertisements: parsedAdvertisements.advertisements,
    },
  };
}

/** parseConfig for callers that want an exception (the CLI, tests). */
export function parseConfigOrThrow(objects: ConfigObjects): IronlbConfig {
  const result = parseConfig(objects);
  if (result.ok) return result.config;
  throw new IronlbError(
    ConfigErrors.IRONLB_ERR_CONFIG_INVALID,
    `invalid configuration (${result.errors.length} error${result.errors.length === 1 ? '' : 's'}):\n` +
      result.errors.map((error) => `  ${formatConfigError(error)}`).join('\n'),
  );
}
