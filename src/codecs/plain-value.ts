import { types } from "node:util";
import { describeType } from "./describe-type.js";

/** Where and why a value is not plain data that `v8.serialize` can round-trip faithfully. */
export interface PlainValueProblem {
  typeName: string;
  /** e.g. "value.layers[2].activation" */
  path: string;
  detail: string;
}

/** Prototypes whose instances v8's serializer restores as the same type. */
const cloneablePrototypes = new Set<unknown>([
  Object.prototype, Array.prototype, Map.prototype, Set.prototype, Date.prototype, RegExp.prototype,
  ArrayBuffer.prototype, SharedArrayBuffer.prototype, Boolean.prototype, Number.prototype, String.prototype,
  Error.prototype, EvalError.prototype, RangeError.prototype, ReferenceError.prototype,
  SyntaxError.prototype, TypeError.prototype, URIError.prototype, null,
]);

/**
 * Finds the first part of `value` that v8's structured serializer would refuse (functions,
 * symbols, promises, weak collections) or silently change (instances of user classes lose their
 * prototype; `undefined` is fine). Returns undefined when the whole value round-trips.
 * Cycles and shared references are fine: they are visited once.
 */
export function findPlainValueProblem(value: unknown): PlainValueProblem | undefined {
  const visited = new Set<object>();
  const pending: Array<{ value: unknown; path: string }> = [{ value, path: "value" }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === "symbol") return { typeName: "symbol", path, detail: "symbols cannot be stored" };
    if (typeof current === "function") {
      return { typeName: describeType(current), path, detail: "functions and classes cannot be stored as data" };
    }
    if (typeof current !== "object" || current === null || visited.has(current)) continue;
    visited.add(current);
    if (types.isProxy(current)) {
      return {
        typeName: "Proxy",
        path,
        detail: "a Proxy cannot be stored (v8 cannot clone it); store a plain copy of its data instead, e.g. { ...value } or JSON.parse(JSON.stringify(value))",
      };
    }
    if (ArrayBuffer.isView(current)) continue; // typed arrays, DataView and Buffer round-trip as themselves
    const prototype: unknown = Object.getPrototypeOf(current);
    if (!cloneablePrototypes.has(prototype)) {
      return {
        typeName: describeType(current),
        path,
        detail: "instances of classes would lose their class (methods and prototype) when stored as plain data",
      };
    }
    if (current instanceof Map) {
      let i = 0;
      for (const [key, entry] of current) {
        pending.push({ value: key, path: `${path}.<key ${i}>` });
        pending.push({ value: entry, path: `${path}.get(${describeKey(key)})` });
        i++;
      }
    } else if (current instanceof Set) {
      let i = 0;
      for (const entry of current) pending.push({ value: entry, path: `${path}.<element ${i++}>` });
    } else {
      for (const key of Object.keys(current)) {
        pending.push({ value: (current as Record<string, unknown>)[key], path: childPath(path, key, Array.isArray(current)) });
      }
    }
  }
  return undefined;
}

function childPath(path: string, key: string, inArray: boolean): string {
  if (inArray && /^\d+$/.test(key)) return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  return typeof key === "string" ? JSON.stringify(key) : typeof key === "object" ? describeType(key) : String(key);
}
