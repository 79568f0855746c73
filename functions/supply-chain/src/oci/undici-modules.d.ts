// undici's modules below its index carry no types of their own; undici-parts.ts gives them undici's.
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: unknown;
  export default Agent;
}
declare module 'undici/lib/core/connect.js' {
  const buildConnector: unknown;
  export default buildConnector;
}
declare module 'undici/lib/api/api-request.js' {
  const request: unknown;
  export default request;
}
