/**
 * Every module that declares an error catalogue. A module missing here is
 * still checked if something else imports it; listing it makes sure it is.
 */
export const catalogueModules: readonly string[] = [
  '../src/daemon/errors.ts',
  '../src/k8s/errors.ts',
  '../src/config/errors.ts',
  '../src/bgp/session-errors.ts',
  '../src/ipam/errors.ts',
  '../src/bgp/wire/errors.ts',
  './support/api-server/errors.ts',
  './lab/errors.ts',
  '../src/speaker/errors.ts',
  '../bench/lib/errors.ts',
];
