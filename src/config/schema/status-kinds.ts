import { Type, type Static } from 'typebox';
import { conditionList, metallb, ObjectMetaSchema, typeMetaProperties } from './common.ts';

export const ConfigurationResults = ['Valid', 'Invalid', 'Unknown'] as const;

export const ConfigurationStateStatusSchema = Type.Object(
  {
    result: Type.Optional(
      Type.Enum([...ConfigurationResults], {
        description:
          'Valid, Invalid or Unknown: whether the newest configuration this component read is valid.',
        ...metallb('same'),
      }),
    ),
    stale: Type.Optional(
      Type.Boolean({
        description:
          'True when the newest configuration is invalid and the component still runs with the last valid one.',
        ...metallb('ironlb'),
      }),
    ),
    errorCount: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'How many errors the newest configuration has.',
        ...metallb('ironlb'),
      }),
    ),
    errorSummary: Type.Optional(
      Type.String({
        description:
          'The errors, one per line, each "Kind namespace/name field: reason" (truncated).',
        ...metallb('same'),
      }),
    ),
    conditions: conditionList(),
  },
  { additionalProperties: false, description: 'Written by the component.' },
);

export const ConfigurationStateSchema = Type.Object(
  {
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: false, description: 'Empty: everything is in status.' },
      ),
    ),
    status: Type.Optional(ConfigurationStateStatusSchema),
  },
  {
    description:
      'Whether a component (the controller, or the speaker of one node) accepted the configuration. One object per component, written by it.',
  },
);

export const ServiceBGPStatusStatusSchema = Type.Object(
  {
    node: Type.Optional(
      Type.String({ description: 'The node announcing the Service.', ...metallb('same') }),
    ),
    serviceName: Type.Optional(
      Type.String({ description: 'The name of the Service.', ...metallb('same') }),
    ),
    serviceNamespace: Type.Optional(
      Type.String({ description: 'The namespace of the Service.', ...metallb('same') }),
    ),
    peers: Type.Optional(
      Type.Array(Type.String(), {
        description: "The BGPPeers the node announces the Service's addresses to.",
        ...metallb('same'),
      }),
    ),
  },
  { additionalProperties: false, description: 'Written by the speaker of the node.' },
);

export const ServiceBGPStatusSchema = Type.Object(
  {
    ...typeMetaProperties,
    metadata: ObjectMetaSchema,
    spec: Type.Optional(
      Type.Object(
        {},
        { additionalProperties: false, description: 'Empty: everything is in status.' },
      ),
    ),
    status: Type.Optional(ServiceBGPStatusStatusSchema),
  },
  {
    description:
      "Which peers one node announces one Service to. One object per Service and announcing node, in the Service's namespace, written by that node's speaker.",
  },
);

export type ConfigurationStateStatus = Static<typeof ConfigurationStateStatusSchema>;
export type ConfigurationState = Static<typeof ConfigurationStateSchema>;
export type ServiceBGPStatusStatus = Static<typeof ServiceBGPStatusStatusSchema>;
export type ServiceBGPStatus = Static<typeof ServiceBGPStatusSchema>;
