/** The route's condition vocabulary: types and stable reasons. */
export const CONDITION = {
  ready: 'Ready',
  gatewayBound: 'GatewayBound',
  chainsEnforced: 'ChainsEnforced',
} as const;

export const REASON = {
  reconciled: 'Reconciled',
  gatewayBound: 'GatewayBound',
  gatewayNotFound: 'GatewayNotFound',
  namespaceNotAccepted: 'NamespaceNotAccepted',
  chainPluginMissing: 'ChainPluginMissing',
  noChainsRequested: 'NoChainsRequested',
  perRouteDispatchUnsupported: 'PerRouteDispatchUnsupported',
} as const;
