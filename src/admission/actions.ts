/** The validationActions of exported bindings, in the order of a staged rollout's last step first. */
export const VALIDATION_ACTIONS = ['Deny', 'Warn', 'Audit'] as const;
export type ValidationAction = (typeof VALIDATION_ACTIONS)[number];
