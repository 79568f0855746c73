// prom-client's modules below its index carry no types of their own; prom-client-parts.ts gives them prom-client's.
declare module 'prom-client/lib/counter.js' {
  const Counter: unknown;
  export default Counter;
}
declare module 'prom-client/lib/defaultMetrics.js' {
  const collectDefaultMetrics: unknown;
  export default collectDefaultMetrics;
}
declare module 'prom-client/lib/gauge.js' {
  const Gauge: unknown;
  export default Gauge;
}
declare module 'prom-client/lib/histogram.js' {
  const Histogram: unknown;
  export default Histogram;
}
declare module 'prom-client/lib/registry.js' {
  const Registry: unknown;
  export default Registry;
}
