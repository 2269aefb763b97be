/** The speaker's defaults; a module of its own so the CLI can show them without loading the speaker. */
export const SpeakerDefaults = {
  namespace: 'ironlb-system',
  httpPort: 7473,
  drainMs: 5000,
  /** Trailing debounce of decision rounds: a burst of changes makes one round. */
  debounceMs: 30,
  /** …but a change never waits longer than this for its round. */
  maxDebounceMs: 200,
  /**
   * A decision round costs O(Services) (~0.1 s at 10k); the next waits at
   * least this many times as long, so rounds take at most a fifth of a core
   * however fast the cluster changes.
   */
  roundBusyFactor: 4,
} as const;
