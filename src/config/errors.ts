import { defineCatalogue } from '../common/errors.ts';

/**
 * Codes carried by every configuration error (`ConfigError.code`), so that
 * tests, events and alerts can match on the rule that failed rather than on
 * the wording of the reason.
 */
export const ConfigErrors = defineCatalogue('config', {
  IRONLB_ERR_CONFIG_INVALID: {
    code: 'IRONLB_ERR_CONFIG_INVALID',
    description:
      'The configuration objects do not form a valid configuration (see the listed errors).',
  },
  IRONLB_ERR_CONFIG_SCHEMA: {
    code: 'IRONLB_ERR_CONFIG_SCHEMA',
    description:
      'An object does not match its CRD schema: a missing or unknown field, a wrong type, a value out of range.',
  },
  IRONLB_ERR_CONFIG_DUPLICATE_OBJECT: {
    code: 'IRONLB_ERR_CONFIG_DUPLICATE_OBJECT',
    description: 'Two objects of the same kind have the same namespace and name.',
  },
  IRONLB_ERR_CONFIG_BAD_ADDRESS: {
    code: 'IRONLB_ERR_CONFIG_BAD_ADDRESS',
    description: 'An address, CIDR or range does not parse, or has the wrong family.',
  },
  IRONLB_ERR_CONFIG_POOL_OVERLAP: {
    code: 'IRONLB_ERR_CONFIG_POOL_OVERLAP',
    description: 'Two address ranges overlap, within one pool or between pools.',
  },
  IRONLB_ERR_CONFIG_BAD_ASN: {
    code: 'IRONLB_ERR_CONFIG_BAD_ASN',
    description: 'An AS number is reserved (AS_TRANS 23456) and cannot be used for a session.',
  },
  IRONLB_ERR_CONFIG_TIMER: {
    code: 'IRONLB_ERR_CONFIG_TIMER',
    description:
      'A BGP timer is out of range: hold time 1-2 s, keepalive longer than hold time, or a value BGP cannot carry.',
  },
  IRONLB_ERR_CONFIG_PEER_CONFLICT: {
    code: 'IRONLB_ERR_CONFIG_PEER_CONFLICT',
    description: 'A BGPPeer combines options that cannot work together.',
  },
  IRONLB_ERR_CONFIG_DUPLICATE_PEER: {
    code: 'IRONLB_ERR_CONFIG_DUPLICATE_PEER',
    description: 'Two BGPPeers have the same address, port and node selectors.',
  },
  IRONLB_ERR_CONFIG_PASSWORD: {
    code: 'IRONLB_ERR_CONFIG_PASSWORD',
    description:
      'A BGPPeer password is unusable: both password and passwordSecret, or longer than TCP-MD5 allows.',
  },
  IRONLB_ERR_CONFIG_SECRET: {
    code: 'IRONLB_ERR_CONFIG_SECRET',
    description:
      'The Secret a BGPPeer refers to is missing, not of type kubernetes.io/basic-auth, or has no password.',
  },
  IRONLB_ERR_CONFIG_COMMUNITY_FORMAT: {
    code: 'IRONLB_ERR_CONFIG_COMMUNITY_FORMAT',
    description:
      'A BGP community is neither "a:b" (16-bit parts) nor "large:a:b:c" (32-bit parts).',
  },
  IRONLB_ERR_CONFIG_UNKNOWN_COMMUNITY: {
    code: 'IRONLB_ERR_CONFIG_UNKNOWN_COMMUNITY',
    description: 'A BGPAdvertisement names a community alias no Community object defines.',
  },
  IRONLB_ERR_CONFIG_DUPLICATE_COMMUNITY: {
    code: 'IRONLB_ERR_CONFIG_DUPLICATE_COMMUNITY',
    description: 'A community alias is defined more than once in a namespace.',
  },
  IRONLB_ERR_CONFIG_UNKNOWN_POOL: {
    code: 'IRONLB_ERR_CONFIG_UNKNOWN_POOL',
    description: 'A BGPAdvertisement names an IPAddressPool that does not exist.',
  },
  IRONLB_ERR_CONFIG_UNKNOWN_PEER: {
    code: 'IRONLB_ERR_CONFIG_UNKNOWN_PEER',
    description: 'A BGPAdvertisement names a BGPPeer that does not exist.',
  },
  IRONLB_ERR_CONFIG_AGGREGATION_LENGTH: {
    code: 'IRONLB_ERR_CONFIG_AGGREGATION_LENGTH',
    description:
      'An aggregation length is shorter than a prefix of a selected pool, so the aggregate would cover addresses outside the pool.',
  },
  IRONLB_ERR_CONFIG_LOCAL_PREF_CONFLICT: {
    code: 'IRONLB_ERR_CONFIG_LOCAL_PREF_CONFLICT',
    description:
      'Two BGPAdvertisements that certainly apply to the same pool, peer, nodes and Services set different localPref values.',
  },
  IRONLB_ERR_CONFIG_LABEL_SELECTOR: {
    code: 'IRONLB_ERR_CONFIG_LABEL_SELECTOR',
    description:
      'A label selector is malformed: a bad label key or value, In/NotIn without values, Exists/DoesNotExist with values.',
  },
});
