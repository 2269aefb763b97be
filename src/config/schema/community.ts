import { Type, type Static } from 'typebox';
import { COMMUNITY_PATTERN } from '../community.ts';
import { metallb, ObjectMetaSchema, typeMetaProperties } from './common.ts';

export const CommunitySpecSchema = Type.Object(
  {
    communities: Type.Array(
      Type.Object(
        {
          name: Type.String({
            minLength: 1,
            description:
              'The alias, as written in BGPAdvertisement communities; not itself a community value.',
          }),
          value: Type.String({
            pattern: COMMUNITY_PATTERN,
            description:
              'The community: "65000:100" (16-bit parts) or "large:65000:1:2" (32-bit parts).',
          }),
        },
        { additionalProperties: false },
      ),
      {
        description: 'Named community aliases.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        ...metallb('same'),
      },
    ),
  },
  { additionalProperties: false, description: 'Community aliases.' },
);

export const CommunitySchema = Type.Object(
  {
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: CommunitySpecSchema,
  },
  {
    description:
      'Names for BGP community values, usable in the BGPAdvertisements of the same namespace. An alias may be defined once per namespace.',
  },
);

export type CommunitySpec = Static<typeof CommunitySpecSchema>;
export type Community = Static<typeof CommunitySchema>;
