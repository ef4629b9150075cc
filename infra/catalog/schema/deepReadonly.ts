/**
 * A schema's output type, read-only all the way down: parsed configs are shared by every part of a
 * job and never edited in place (overrides build a new value).
 */
export type DeepReadonly<T> = T extends (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
