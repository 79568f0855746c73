import type { Condition, PluginSetSpec, PluginSpec, ResolvedPluginEntry } from '@mcpg-functions/shared/api';
import type { KubeObject } from '@mcpg-functions/shared/kube';

/** An MCPGPluginSet as read from the API server, its spec parsed (defaults applied). */
export type PluginSetObject = KubeObject & { spec: PluginSetSpec; status?: Record<string, unknown> };

export type Entry = PluginSetSpec['entries'][number];

/** The parts of an MCPGPlugin's status the resolution reads; written by the supply-chain function. */
export interface PluginStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  artifact?: string;
  resolvedDigest?: string;
  revokedBySha?: boolean;
}

/** An MCPGPlugin as read, unparsed: its spec may be from any writer, so every field is optional here. */
export type PluginObject = KubeObject & { spec?: Partial<PluginSpec>; status?: PluginStatus };

/** One entry as the gateway loads it (the MCPGPluginSet status.resolved contract). */
export type ResolvedPlugin = ResolvedPluginEntry;

export interface FailedEntry {
  id: string;
  reason: string;
  message: string;
}
