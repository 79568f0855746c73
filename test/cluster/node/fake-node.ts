/** With a real node beside it, kwok's fake node takes only pods that ask for it, so `kubectl run` lands on the real one. */
import { CoreV1Api, type V1Taint } from '@kubernetes/client-node';
import { loadKubeConfig } from '@mcpg-functions/shared/kube-client';
import { KWOK_NODE_ANNOTATION, NODE_NAME } from '../control-plane.ts';

export const FAKE_NODE_TAINT: V1Taint = {
  key: KWOK_NODE_ANNOTATION.key,
  value: KWOK_NODE_ANNOTATION.value,
  effect: 'NoSchedule',
};

export async function taintFakeNode(kubeconfig: string, tainted: boolean): Promise<void> {
  const core = loadKubeConfig(kubeconfig).makeApiClient(CoreV1Api);
  const node = await core.readNode({ name: NODE_NAME });
  const others = (node.spec?.taints ?? []).filter((t) => t.key !== FAKE_NODE_TAINT.key);
  node.spec = { ...(node.spec as object), taints: tainted ? [...others, FAKE_NODE_TAINT] : others };
  await core.replaceNode({ name: NODE_NAME, body: node });
}
