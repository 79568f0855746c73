import { describe, expect, it } from 'vitest';
import { isSubset } from './subset.ts';

describe('isSubset', () => {
  it.each([
    { name: 'fields the server added', desired: { a: 1 }, live: { a: 1, b: 2 }, subset: true },
    { name: 'a changed value', desired: { a: 1 }, live: { a: 2 }, subset: false },
    { name: 'a missing field', desired: { a: { b: 1 } }, live: {}, subset: false },
    { name: 'an empty list the server dropped', desired: { ingress: [] }, live: {}, subset: true },
    { name: 'a list of another length', desired: { l: [1] }, live: { l: [1, 2] }, subset: false },
    {
      name: 'list items with extra fields',
      desired: { l: [{ a: 1 }] },
      live: { l: [{ a: 1, b: 2 }] },
      subset: true,
    },
    { name: 'undefined fields we do not set', desired: { a: undefined }, live: {}, subset: true },
    { name: 'a list where a map was', desired: { a: { b: 1 } }, live: { a: [1] }, subset: false },
  ])('treats $name as subset: $subset', ({ desired, live, subset }) => {
    expect(isSubset(desired, live)).toBe(subset);
  });
});
