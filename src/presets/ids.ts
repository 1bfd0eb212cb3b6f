/** The shipped exemption presets (src/presets/node-agents.ts), by id: what the config can switch off. */
export const EXEMPTION_PRESET_IDS = [
  'cni',
  'csi-node',
  'kube-proxy',
  'node-exporter',
  'log-shipper',
] as const;

export type ExemptionPresetId = (typeof EXEMPTION_PRESET_IDS)[number];
