/**
 * Verify, then mirror: each plugin naming the mirror is verified upstream exactly as it would be at the mirror,
 * and only a verified, unrevoked artifact is copied in, together with its signatures and attestations, so that
 * plugins keep verifying at the mirror when upstream is out of reach (air-gapped clusters).
 */
import type { PluginMirrorSpec, PluginSpec } from '@mcpg-functions/shared/api';
import type { ObjectClient } from '@mcpg-functions/shared/kube';
import type { Credentials } from '../oci/auth.ts';
import { RegistryError } from '../oci/errors.ts';
import { parseReference, rewriteToMirror } from '../oci/reference.ts';
import { mirrorHost, pullLocation, registryClient } from '../plugin/pull-location.ts';
import { verifyAt } from '../plugin/verify-plugin.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { copyWithAttachments } from './copy.ts';

export interface SyncResult {
  plugin: string;
  mirrored: boolean;
  /** Why it was not mirrored. */
  problem?: string;
}

export interface SyncDeps {
  client: ObjectClient;
  settings: SupplyChainSettings;
  /** Push credentials for the mirror (its auth Secret). */
  mirrorCredentials: Credentials | undefined;
  /** The pass's deadline. */
  signal: AbortSignal;
}

export async function syncPlugin(
  plugin: { name: string; spec: PluginSpec },
  mirror: PluginMirrorSpec,
  deps: SyncDeps,
): Promise<SyncResult> {
  const host = mirrorHost(mirror);
  const atMirror = rewriteToMirror(plugin.spec.oci.image, {
    upstream: mirror.upstream,
    host,
    pathPrefix: mirror.endpoint.service.pathPrefix,
  });
  if (!atMirror)
    return { plugin: plugin.name, mirrored: false, problem: 'its image is not under the mirrored upstream' };
  const upstreamSpec = { ...plugin.spec, oci: { ...plugin.spec.oci, mirrorRef: undefined } };
  try {
    const location = await pullLocation(deps, upstreamSpec);
    const verdict = await verifyAt(upstreamSpec, location, deps);
    if (verdict.stage !== 'verified')
      return { plugin: plugin.name, mirrored: false, problem: `not verified upstream: ${verdict.message}` };
    const target = registryClient(deps.settings, host, {
      mirror: { insecure: mirror.endpoint.insecure },
      credentials: deps.mirrorCredentials,
      signal: deps.signal,
    });
    await copyWithAttachments(
      {
        source: location.registry,
        target,
        from: location.reference.repository,
        to: parseReference(atMirror).repository,
      },
      verdict.manifestDigest,
      location.reference.tag,
    );
    return { plugin: plugin.name, mirrored: true };
  } catch (error) {
    if (error instanceof RegistryError || (error as Error).name === 'LocationError')
      return { plugin: plugin.name, mirrored: false, problem: (error as Error).message };
    throw error;
  }
}
