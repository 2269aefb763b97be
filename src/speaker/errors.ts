import { defineCatalogue } from '../common/errors.ts';

export const SpeakerErrors = defineCatalogue('speaker', {
  IRONLB_ERR_NODE_NAME: {
    code: 'IRONLB_ERR_NODE_NAME',
    description:
      'The speaker has no usable node name: NODE_NAME must be set from the downward API (fieldRef spec.nodeName).',
  },
});
