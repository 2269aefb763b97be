/**
 * Every module that declares an error catalogue. A module missing here is
 * still checked if something else imports it; listing it makes sure it is.
 */
export const catalogueModules: readonly string[] = ['../src/daemon/errors.ts', './lab/errors.ts'];
