/**
 * Where a plugin is pulled from: its own reference, or, when it names a mirror, the rewritten reference at the
 * mirror with the mirror's credentials. A plugin that names a mirror is never pulled from upstream: a missing
 * mirror or a reference the mirror does not cover stops the pass (fail-closed).
 */
import { API_VERSION, type PluginMirrorSpec, type PluginSpec } from '@mcpg-functions/shared/api';
import type { KubeObject, ObjectClient } from '@mcpg-functions/shared/kube';
import { credentialsFor, type Credentials } from '../oci/auth.ts';
import { RegistryClient } from '../oci/client.ts';
import { isInsecure } from '../oci/network-policy.ts';
import { parseReference, rewriteToMirror, type Reference } from '../oci/reference.ts';
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

export interface ClientOptions {
  credentials: Credentials | undefined;
  signal: AbortSignal;
  /**
   * A mirror's in-cluster Service: MCPGPluginMirror is cluster-scoped, so its endpoint is named by a cluster
   * admin and may be internal; `insecure` is its own plain-HTTP mark.
   */
  mirror?: { insecure: boolean };
}

/** A client for `registry` under the operator's network policy, the pass's deadline and the read limits. */
export function registryClient(
  settings: SupplyChainSettings,
  registry: string,
  options: ClientOptions,
): RegistryClient {
  const { network } = settings;
  return new RegistryClient({
    registry,
    plainHttp: options.mirror?.insecure === true || isInsecure(network, registry),
    endpoint: settings.registryEndpoints[registry],
    credentials: options.credentials,
    network: options.mirror
      ? { ...network, privateRegistries: [...network.privateRegistries, registry] }
      : network,
    signal: options.signal,
    limits: settings.limits,
  });
}

export interface LocationDeps {
  client: ObjectClient;
  settings: SupplyChainSettings;
  signal: AbortSignal;
}

async function viaMirror(deps: LocationDeps, spec: PluginSpec, mirrorName: string): Promise<PullLocation> {
  const { client, settings } = deps;
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
      mirror: { insecure: mirror.spec.endpoint.insecure },
      credentials: await credentials(client, settings, auth, host),
      signal: deps.signal,
    }),
  };
}

export async function pullLocation(deps: LocationDeps, spec: PluginSpec): Promise<PullLocation> {
  const { client, settings } = deps;
  if (spec.oci.mirrorRef) return viaMirror(deps, spec, spec.oci.mirrorRef.name);
  const reference = checkedReference(spec.oci.image);
  const pullSecret = spec.oci.pullSecretRef
    ? { secretName: spec.oci.pullSecretRef.name, key: '.dockerconfigjson' }
    : undefined;
  return {
    reference,
    mirrored: false,
    registry: registryClient(settings, reference.registry, {
      credentials: await credentials(client, settings, pullSecret, reference.registry),
      signal: deps.signal,
    }),
  };
}
