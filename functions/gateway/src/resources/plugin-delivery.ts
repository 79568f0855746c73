/**
 * How plugin artifacts reach the gateway pods without Secrets: each is a digest-pinned OCI reference, mounted
 * as an image volume where the cluster supports them, otherwise pulled by an init container into a shared
 * emptyDir and checked against its digest before the gateway starts.
 */
import { contentHash, labelValue } from '@mcpg-functions/shared/runtime';
import { HARDENED } from '@mcpg-functions/shared/workloads';
import { pluginDir, PLUGINS_DIR } from '../config/render.ts';
import type { RenderSettings } from '../settings.ts';
import type { PluginToLoad } from '../types.ts';

export interface PluginMounts {
  volumes: Record<string, unknown>[];
  mounts: Record<string, unknown>[];
  initContainers: Record<string, unknown>[];
}

const NONE: PluginMounts = { volumes: [], mounts: [], initContainers: [] };

/**
 * A volume name (DNS label) for a plugin id: lower-case, other characters as `-`, at most 63 characters. Ids the
 * slug does not spell exactly (upper case, `_`, `.`) get a hash of the id, so `Acme_Auth` and `acme-auth` differ.
 */
export function pluginVolumeName(id: string): string {
  const slug = id
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const exact = slug === id;
  return labelValue(`plugin-${slug}${exact ? '' : `-${contentHash(id).slice(0, 8)}`}`);
}

function imageVolumes(plugins: readonly PluginToLoad[]): PluginMounts {
  return {
    volumes: plugins.map((p) => ({
      name: pluginVolumeName(p.id),
      image: { reference: p.artifact, pullPolicy: 'IfNotPresent' },
    })),
    mounts: plugins.map((p) => ({
      name: pluginVolumeName(p.id),
      mountPath: pluginDir(p.id),
      readOnly: true,
    })),
    initContainers: [],
  };
}

function fetchedPlugins(plugins: readonly PluginToLoad[], fetcherImage: string): PluginMounts {
  const args = plugins.flatMap((p) => [
    '--artifact',
    p.artifact,
    '--digest',
    p.digest,
    '--into',
    pluginDir(p.id),
  ]);
  return {
    volumes: [{ name: 'plugins', emptyDir: {} }],
    mounts: [{ name: 'plugins', mountPath: PLUGINS_DIR, readOnly: true }],
    initContainers: [
      {
        name: 'fetch-plugins',
        image: fetcherImage,
        imagePullPolicy: 'IfNotPresent',
        args: ['fetch', ...args],
        volumeMounts: [{ name: 'plugins', mountPath: PLUGINS_DIR }],
        securityContext: { ...HARDENED, readOnlyRootFilesystem: true, runAsNonRoot: true },
        resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
      },
    ],
  };
}

export function pluginMounts(
  plugins: readonly PluginToLoad[],
  delivery: RenderSettings['pluginDelivery'],
): PluginMounts {
  if (plugins.length === 0) return NONE;
  return delivery.kind === 'image-volume'
    ? imageVolumes(plugins)
    : fetchedPlugins(plugins, delivery.fetcherImage);
}
