/** The network probe image of the real-node tests and benchmark: Debian's static busybox and a page to serve. */
import { buildImage, pushImage } from '../../images/builder/oci.ts';
import { toolPath } from '../cluster/tools.ts';

export const PROBE_PAGE = 'served from a real pod\n';

/** Pushes the image to the bed's registry; returns its reference by digest. */
export async function pushProbeImage(registryHost: string): Promise<string> {
  const image = await buildImage({
    layers: [
      [
        { path: 'bin/busybox', source: '/bin/busybox', mode: 0o755 },
        { path: 'www/index.html', content: PROBE_PAGE },
      ],
    ],
    entrypoint: ['/bin/busybox'],
    cmd: ['sleep', '3600'],
    user: '65532:65532',
    annotations: { 'org.opencontainers.image.title': 'network-probe' },
  });
  const target = { crane: toolPath('crane'), insecure: true };
  const digest = await pushImage(target, `${registryHost}/test/probe:bed`, image);
  return `${registryHost}/test/probe@${digest}`;
}
