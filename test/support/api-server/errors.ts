import { defineCatalogue } from '../../../src/common/errors.ts';

/** Misuse of the test API server by a test (not answers to clients: those are Status objects). */
export const TestApiServerErrors = defineCatalogue('test-api-server', {
  IRONLB_ERR_TEST_API_LISTEN: {
    code: 'IRONLB_ERR_TEST_API_LISTEN',
    description: 'The test Kubernetes API server could not bind its address.',
  },
  IRONLB_ERR_TEST_API_UNKNOWN_KIND: {
    code: 'IRONLB_ERR_TEST_API_UNKNOWN_KIND',
    description:
      'A test addressed a kind the test API server does not serve (no CRD or registration for it).',
  },
  IRONLB_ERR_TEST_API_USAGE: {
    code: 'IRONLB_ERR_TEST_API_USAGE',
    description: 'The standalone test API server was started with invalid arguments.',
  },
});
