import { defineCatalogue } from '../../src/common/errors.ts';

/** Errors the lab raises on purpose (test support, but operators of the demo read them too). */
export const LabErrors = defineCatalogue('lab', {
  IRONLB_ERR_LAB_OPTIONS: {
    code: 'IRONLB_ERR_LAB_OPTIONS',
    description: 'Lab options are out of range (node count, prefix, pool, pod name).',
  },
  IRONLB_ERR_LAB_NOT_ROOT: {
    code: 'IRONLB_ERR_LAB_NOT_ROOT',
    description: 'The lab creates network namespaces and needs to run as root.',
  },
  IRONLB_ERR_LAB_COMMAND: {
    code: 'IRONLB_ERR_LAB_COMMAND',
    description: 'A command the lab ran (ip, nft, birdc, sysctl) failed or timed out.',
  },
  IRONLB_ERR_LAB_TIMEOUT: {
    code: 'IRONLB_ERR_LAB_TIMEOUT',
    description: 'A bounded wait in the lab (daemon ready, BGP session, route, pod) ran out.',
  },
  IRONLB_ERR_LAB_PROCESS: {
    code: 'IRONLB_ERR_LAB_PROCESS',
    description: 'A process the lab started exited before it became ready.',
  },
  IRONLB_ERR_LAB_UNKNOWN: {
    code: 'IRONLB_ERR_LAB_UNKNOWN',
    description: 'A node, pod or namespace name given to the lab does not exist in it.',
  },
  IRONLB_ERR_LAB_DESTROYED: {
    code: 'IRONLB_ERR_LAB_DESTROYED',
    description: 'The lab was used after destroy().',
  },
});
