/**
 * The three parts of undici the registry client uses, each from its own module. undici's index loads every part
 * it has (fetch, WebSocket, caches, mocks, proxies): about 5 MiB resident in a function that never uses them, and
 * the client's share of a mirror copy's peak. The types are undici's own.
 */
import type { Agent as AgentClass, buildConnector as buildConnectorFunction, Dispatcher } from 'undici';
import AgentModule from 'undici/lib/dispatcher/agent.js';
import buildConnectorModule from 'undici/lib/core/connect.js';
import requestModule from 'undici/lib/api/api-request.js';

export const Agent = AgentModule as typeof AgentClass;
export type Agent = AgentClass;
export const buildConnector = buildConnectorModule as typeof buildConnectorFunction;

export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path'>;

/** undici's `request(url, options)` on the given dispatcher (the client always names one). */
export function request(
  url: URL,
  options: RequestOptions & { dispatcher: Dispatcher },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = options;
  const send = requestModule as (
    this: Dispatcher,
    options: Dispatcher.RequestOptions,
  ) => Promise<Dispatcher.ResponseData>;
  return send.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
