/**
 * Where a plugin is pulled from: its own reference, or, when it names a mirror, the rewritten reference at the
 * mirror with the mirror's credentials. A plugin that names a mirror is never pulled from upstream: a missing
 * mirror or a reference the mirror does not cover stops the pass (fail-closed).
 */
import { API_VERSION, type PluginMirrorSpec, type PluginSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectClient } from '@mcpg-functions/shared/kube';
import { credentialsFor, type Credentials } from '../oci/auth.ts';
import { RegistryClient } from '../oci/client.ts';
import { isLoopbackHost, parseReference, rewriteToMirror, type Reference } from '../oci/reference.ts';
import type { SupplyChainSettings } from '../settings.ts';
import { dockerConfig } from '../sources.ts';

export interface PullLocation {
  reference: Reference;
  registry: RegistryClient;
  mirrored: boolean;
}

type LocationReason = 'MirrorUnresolved' | 'CredentialsUnavailable' | 'ReferenceInvalid';

export class LocationError extends Error {
  readonly reason: LocationReason;

  constructor(reason: LocationReason, message: string) {
    super(message);
    this.name = 'LocationError';
    this.reason = reason;
  }
}

/** A reference that cannot be parsed (a mirror path prefix the registry would refuse) stops the pull. */
function checkedReference(text: string): Reference {
  try {
    return parseReference(text);
  } catch (error) {
    throw new LocationError('ReferenceInvalid', (error as Error).message);
  }
}

export function mirrorHost(spec: PluginMirrorSpec): string {
  const service = spec.endpoint.service;
  return `${service.name}.${service.namespace}.svc.cluster.local:${service.port}`;
}

async function credentials(
  client: ObjectClient,
  settings: SupplyChainSettings,
  secret: { secretName: string; key: string } | undefined,
  registry: string,
): Promise<Credentials | undefined> {
  if (!secret) return undefined;
  try {
    return credentialsFor(await dockerConfig(client, settings.operatorNamespace, secret), registry);
  } catch (error) {
    // A missing Secret or key, or a document that is not dockerconfigjson.
    throw new LocationError('CredentialsUnavailable', `registry credentials: ${(error as Error).message}`);
  }
}

export function registryClient(
  settings: SupplyChainSettings,
  registry: string,
  options: { insecure: boolean; credentials: Credentials | undefined },
): RegistryClient {
  return new RegistryClient({
    registry,
    plainHttp: options.insecure || isLoopbackHost(registry),
    endpoint: settings.registryEndpoints[registry],
    credentials: options.credentials,
    manifestLimit: settings.manifestBytes,
  });
}

async function viaMirror(
  client: ObjectClient,
  settings: SupplyChainSettings,
  spec: PluginSpec,
  mirrorName: string,
): Promise<PullLocation> {
  const mirror = await client.get<KubeObject & { spec: PluginMirrorSpec }>({
    apiVersion: API_VERSION,
    kind: 'MCPGPluginMirror',
    name: mirrorName,
  });
  if (!mirror)
    throw new LocationError(
      'MirrorUnresolved',
      `MCPGPluginMirror ${mirrorName} does not exist; the plugin is not pulled from upstream`,
    );
  const host = mirrorHost(mirror.spec);
  const rewritten = rewriteToMirror(spec.oci.image, {
    upstream: mirror.spec.upstream,
    host,
    pathPrefix: mirror.spec.endpoint.service.pathPrefix,
  });
  if (!rewritten)
    throw new LocationError(
      'MirrorUnresolved',
      `MCPGPluginMirror ${mirrorName} mirrors ${mirror.spec.upstream.registry}/${mirror.spec.upstream.namespace}/, which ${spec.oci.image} is not under`,
    );
  const auth = mirror.spec.auth?.secretRef;
  return {
    reference: checkedReference(rewritten),
    mirrored: true,
    registry: registryClient(settings, host, {
      insecure: mirror.spec.endpoint.insecure,
      credentials: await credentials(client, settings, auth, host),
    }),
  };
}

export async function pullLocation(
  client: ObjectClient,
  settings: SupplyChainSettings,
  spec: PluginSpec,
): Promise<PullLocation> {
  if (spec.oci.mirrorRef) return viaMirror(client, settings, spec, spec.oci.mirrorRef.name);
  const reference = checkedReference(spec.oci.image);
  const pullSecret = spec.oci.pullSecretRef
    ? { secretName: spec.oci.pullSecretRef.name, key: '.dockerconfigjson' }
    : undefined;
  return {
    reference,
    mirrored: false,
    registry: registryClient(settings, reference.registry, {
      insecure: false,
      credentials: await credentials(client, settings, pullSecret, reference.registry),
    }),
  };
}
