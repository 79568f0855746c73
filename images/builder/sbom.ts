/** An SPDX 2.3 JSON document listing what an image holds, attached to it as an OCI referrer. */
import { blob, manifestBlob, type Blob, type Descriptor } from './oci.ts';
import type { Component } from './sources.ts';

export const SBOM_MEDIA_TYPE = 'application/spdx+json';
const EMPTY_CONFIG = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') };

const spdxId = (index: number) => `SPDXRef-Package-${index}`;

/** Deterministic: its namespace and ids come from the image digest, its creation time from the image's epoch. */
export function spdxDocument(
  image: { name: string; digest: string },
  components: readonly Component[],
): Buffer {
  const packages = components.map((component, index) => ({
    SPDXID: spdxId(index + 1),
    name: component.name,
    versionInfo: component.version,
    downloadLocation: 'NOASSERTION',
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: component.license ?? 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: component.purl },
    ],
  }));
  const document = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: `${image.name}@${image.digest}`,
    documentNamespace: `https://mcpg.dev/spdx/${image.name}/${image.digest}`,
    creationInfo: { created: '1970-01-01T00:00:00Z', creators: ['Tool: mcpg-functions images/builder'] },
    documentDescribes: ['SPDXRef-Image'],
    packages: [
      {
        SPDXID: 'SPDXRef-Image',
        name: image.name,
        versionInfo: image.digest,
        downloadLocation: 'NOASSERTION',
        licenseConcluded: 'NOASSERTION',
        licenseDeclared: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
      },
      ...packages,
    ],
    relationships: packages.map((p) => ({
      spdxElementId: 'SPDXRef-Image',
      relationshipType: 'CONTAINS',
      relatedSpdxElement: p.SPDXID,
    })),
  };
  return Buffer.from(JSON.stringify(document, null, 2));
}

/** An OCI 1.1 artifact manifest whose subject is the image: registries and clients find it as a referrer. */
export function sbomReferrer(subject: Descriptor, document: Buffer): { manifest: Blob; blobs: Blob[] } {
  const config = blob(EMPTY_CONFIG.mediaType, EMPTY_CONFIG.bytes);
  const layer = blob(SBOM_MEDIA_TYPE, document);
  const manifest = manifestBlob({
    artifactType: SBOM_MEDIA_TYPE,
    config: config.descriptor,
    layers: [layer.descriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { 'org.opencontainers.image.created': '1970-01-01T00:00:00Z' },
  });
  return { manifest, blobs: [config, layer] };
}
