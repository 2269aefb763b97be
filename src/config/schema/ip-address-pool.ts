import { Type, type Static } from 'typebox';
import { selectorList } from './label-selector.ts';
import { bigCount, Defaults, metallb, ObjectMetaSchema, typeMetaProperties } from './common.ts';

export const IPAddressPoolSpecSchema = Type.Object(
  {
    addresses: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      description:
        'The addresses of the pool: CIDRs ("192.0.2.0/24", "2001:db8::/64") or inclusive ranges ("192.0.2.10-192.0.2.20"), IPv4 and IPv6 in one pool allowed. No two entries of any pools may overlap.',
      ...metallb('same'),
    }),
    autoAssign: Type.Optional(
      Type.Boolean({
        default: Defaults.autoAssign,
        description:
          'Whether the pool is used for Services that do not ask for it; false = only Services that request this pool or one of its addresses get addresses from it.',
        ...metallb('same'),
      }),
    ),
    avoidBuggyIPs: Type.Optional(
      Type.Boolean({
        default: Defaults.avoidBuggyIPs,
        description:
          'Skip IPv4 addresses ending in .0 or .255, which some old consumer equipment drops.',
        ...metallb('same'),
      }),
    ),
    serviceAllocation: Type.Optional(
      Type.Object(
        {
          priority: Type.Optional(
            Type.Integer({
              description:
                'Order among pools with serviceAllocation: lower numbers are tried first; pools without a priority come after those with one.',
              ...metallb('same'),
            }),
          ),
          namespaces: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), {
              description: 'Only Services in these namespaces may get addresses from the pool.',
              ...metallb('same'),
            }),
          ),
          namespaceSelectors: selectorList(
            'Only Services in namespaces with matching labels may get addresses from the pool.',
          ),
          serviceSelectors: selectorList(
            'Only Services with matching labels may get addresses from the pool.',
          ),
        },
        {
          additionalProperties: false,
          description:
            'Reserves the pool for some Services. Such pools are tried before the others, by priority, and are never used for Services that do not match.',
          ...metallb('same'),
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: 'The addresses of the pool and how they are handed out.',
  },
);

export const IPAddressPoolStatusSchema = Type.Object(
  {
    assignedIPv4: bigCount(
      'IPv4 addresses of the pool assigned to Services (decimal string).',
      'same name; a string, not an integer',
    ),
    availableIPv4: bigCount(
      'IPv4 addresses of the pool still free (decimal string).',
      'same name; a string, not an integer',
    ),
    assignedIPv6: bigCount(
      'IPv6 addresses of the pool assigned to Services (decimal string).',
      'same name; a string, not an integer',
    ),
    availableIPv6: bigCount(
      'IPv6 addresses of the pool still free (decimal string: a /64 holds 2^64, more than an integer field can).',
      'same name; a string, not an integer',
    ),
  },
  {
    additionalProperties: false,
    description: 'Address counts, written by the controller.',
    ...metallb('same'),
  },
);

export const IPAddressPoolSchema = Type.Object(
  {
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: IPAddressPoolSpecSchema,
    status: Type.Optional(IPAddressPoolStatusSchema),
  },
  {
    description:
      'A pool of addresses the controller assigns to LoadBalancer Services. Labels on the pool are what BGPAdvertisement ipAddressPoolSelectors match.',
  },
);

export type IPAddressPoolSpec = Static<typeof IPAddressPoolSpecSchema>;
export type IPAddressPoolStatus = Static<typeof IPAddressPoolStatusSchema>;
export type IPAddressPool = Static<typeof IPAddressPoolSchema>;
