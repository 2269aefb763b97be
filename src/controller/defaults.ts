/** The controller's defaults; a module of its own so the CLI can show them without loading the controller. */
export const ControllerDefaults = {
  namespace: 'ironlb-system',
  leaseName: 'ironlb-controller',
  configurationStateName: 'controller',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
} as const;
