import { describe, expect, it } from 'vitest';
import {
  internalAddresses,
  isInsecure,
  isInternal,
  namesRegistry,
  OPEN_INTERNET_ONLY,
  splitHost,
} from './network-policy.ts';

describe('internal addresses', () => {
  const internal = internalAddresses(['203.0.113.0/24']);

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '169.254.169.254',
    'fe80::1',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '::',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:a9fe:a9fe',
    '224.0.0.1',
    '255.255.255.255',
    '203.0.113.7',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isInternal(address, internal)).toBe(true);
  });

  it.each(['8.8.8.8', '140.82.112.34', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'lets %s through',
    (address) => {
      expect(isInternal(address, internal)).toBe(false);
    },
  );

  it('names a malformed range', () => {
    expect(() => internalAddresses(['10.96.0.0'])).toThrow(/not a CIDR range/);
    expect(() => internalAddresses(['cluster/12'])).toThrow(/not a CIDR range/);
  });
});

describe('registries the operator names', () => {
  it.each([
    { list: ['registry.internal'], host: 'registry.internal', port: '5000', named: true },
    { list: ['registry.internal:5000'], host: 'registry.internal', port: '5000', named: true },
    { list: ['registry.internal:5000'], host: 'registry.internal', port: '5001', named: false },
    { list: ['registry.internal'], host: 'registry.internal.attacker.example', port: '443', named: false },
    { list: ['Registry.Internal'], host: 'registry.internal', port: '443', named: true },
    { list: ['[::1]:5000'], host: '[::1]', port: '5000', named: true },
    { list: ['127.0.0.1:5000'], host: '127.0.0.1', port: '50001', named: false },
  ])('$list names $host:$port: $named', ({ list, host, port, named }) => {
    expect(namesRegistry(list, host, port)).toBe(named);
  });

  it('splits hosts with and without ports, IPv6 included', () => {
    expect(splitHost('ghcr.io')).toEqual({ host: 'ghcr.io', port: undefined });
    expect(splitHost('127.0.0.1:5000')).toEqual({ host: '127.0.0.1', port: '5000' });
    expect(splitHost('[::1]:5000')).toEqual({ host: '::1', port: '5000' });
  });

  it('speaks plain HTTP only to registries marked insecure', () => {
    const policy = { ...OPEN_INTERNET_ONLY, insecureRegistries: ['registry.internal:5000'] };
    expect(isInsecure(policy, 'registry.internal:5000')).toBe(true);
    expect(isInsecure(policy, '127.0.0.1:5000')).toBe(false);
    expect(isInsecure(policy, 'localhost')).toBe(false);
  });
});
