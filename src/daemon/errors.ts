import { defineCatalogue } from '../common/errors.ts';

export const DaemonErrors = defineCatalogue('daemon', {
  IRONLB_ERR_HTTP_LISTEN: {
    code: 'IRONLB_ERR_HTTP_LISTEN',
    description: 'The health/metrics HTTP server could not bind its address.',
  },
  IRONLB_ERR_SHUTDOWN_TIMEOUT: {
    code: 'IRONLB_ERR_SHUTDOWN_TIMEOUT',
    description: 'Shutdown hooks did not finish before the shutdown deadline.',
  },
  IRONLB_ERR_SHUTDOWN_HOOK: {
    code: 'IRONLB_ERR_SHUTDOWN_HOOK',
    description: 'A shutdown hook threw; the remaining hooks still ran.',
  },
  IRONLB_ERR_DUPLICATE_CHECK: {
    code: 'IRONLB_ERR_DUPLICATE_CHECK',
    description: 'Two components registered a readiness check with the same name.',
  },
});
