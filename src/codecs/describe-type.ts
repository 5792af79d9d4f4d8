/** A short human name for a value's type, as messages and the UI show it: "number", "Map", "class LinearModel". */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "function") {
    return /^class[\s{]/.test(Function.prototype.toString.call(value))
      ? `class constructor ${value.name || "(anonymous)"}`
      : `function ${value.name || "(anonymous)"}`.trimEnd();
  }
  if (typeof value !== "object") return typeof value;
  if (Array.isArray(value)) return "Array";
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === null) return "Object (null prototype)";
  const constructorName = (prototype as { constructor?: { name?: string } }).constructor?.name;
  if (!constructorName) return "Object (unnamed prototype)";
  if (prototype === Object.prototype) return "Object";
  return isBuiltinPrototype(prototype) ? constructorName : `class ${constructorName}`;
}

const builtinConstructors: Function[] = [
  Map, Set, Date, RegExp, ArrayBuffer, SharedArrayBuffer, DataView, Boolean, Number, String, BigInt,
  Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, Promise, WeakMap, WeakSet,
  Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array, Buffer,
];
const builtinPrototypes = new Set<unknown>(builtinConstructors.map((ctor) => ctor.prototype));

function isBuiltinPrototype(prototype: unknown): boolean {
  return builtinPrototypes.has(prototype);
}
