import { Type, type Static } from 'typebox';
import { selectorList } from './label-selector.ts';
import { Defaults, metallb, ObjectMetaSchema, typeMetaProperties } from './common.ts';

export const BGPAdvertisementSpecSchema = Type.Object(
  {
    aggregationLength: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 32,
        default: Defaults.aggregationLength,
        description:
          'The prefix length IPv4 Service addresses are announced with: 32 announces each address, shorter announces the covering prefix. Must not be shorter than any CIDR of the selected pools.',
        ...metallb('same'),
      }),
    ),
    aggregationLengthV6: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 128,
        default: Defaults.aggregationLengthV6,
        description: 'The same as aggregationLength, for IPv6 addresses.',
        ...metallb('same'),
      }),
    ),
    localPref: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 4_294_967_295,
        description:
          'LOCAL_PREF attached to the announcements; sent to iBGP peers only. Advertisements that apply to the same addresses and peer must not disagree.',
        ...metallb('same'),
      }),
    ),
    communities: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'BGP communities attached to the announcements: "65000:100", "large:65000:1:2", or the name of an alias defined by a Community object in the same namespace.',
        ...metallb('same'),
      }),
    ),
    ipAddressPools: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Names of the IPAddressPools (same namespace) whose addresses this advertisement announces. With ipAddressPoolSelectors: the union. Neither: every pool.',
        ...metallb('same'),
      }),
    ),
    ipAddressPoolSelectors: selectorList(
      'Announce the addresses of pools with matching labels (same namespace), in addition to ipAddressPools.',
    ),
    nodeSelectors: selectorList(
      'Only nodes with matching labels announce. Unset or empty: every node that may announce the Service.',
    ),
    peers: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Names of the BGPPeers (same namespace) to announce to. Unset or empty: every peer.',
        ...metallb('same'),
      }),
    ),
    serviceSelectors: selectorList(
      'Only Services with matching labels are announced. Unset or empty: every Service.',
    ),
  },
  { additionalProperties: false, description: 'What to announce, how, where and to whom.' },
);

export const BGPAdvertisementSchema = Type.Object(
  {
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: BGPAdvertisementSpecSchema,
  },
  {
    description:
      'Announces the addresses of the selected pools over BGP. Several advertisements may apply to one address: their communities are merged.',
  },
);

export type BGPAdvertisementSpec = Static<typeof BGPAdvertisementSpecSchema>;
export type BGPAdvertisement = Static<typeof BGPAdvertisementSchema>;
