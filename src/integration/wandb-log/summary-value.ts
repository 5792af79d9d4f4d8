/**
 * How a basic attribute value becomes a W&B summary value. W&B stores JSON; these JS values are
 * converted so nothing is lost silently and the result is the same on every run:
 *
 * | JS value | In the summary |
 * | --- | --- |
 * | number, string, boolean, null | as is (NaN and ±Infinity too: W&B's JSON allows them) |
 * | undefined | `null` at the top level; left out inside objects, as `JSON.stringify` does |
 * | bigint | a number when it is a safe integer, otherwise its decimal string (no precision lost) |
 * | Date | its ISO 8601 string (`null` for an invalid date) |
 * | Array | an array of converted items |
 * | Set | an array of its converted elements, in insertion order (JS sets keep it, so it is stable) |
 * | Map with string, number or boolean keys | an object keyed by `String(key)` |
 * | any other Map | an array of `[key, value]` pairs, in insertion order |
 * | plain object (`{}` or null prototype) | an object of converted members |
 *
 * Anything else (class instances, typed arrays, functions, symbols, reference cycles) is not a
 * basic value: it is logged as an artifact when `others: true`, and skipped otherwise.
 */
import { describeType } from "../../codecs/index.js";
import { isPlainObject } from "../../core/plain-object.js";

/** A JSON-friendly value, ready for `run.summary`. */
export type SummaryValue = null | boolean | number | string | SummaryValue[] | { [key: string]: SummaryValue };

/** The outcome of converting a value: the summary value, or where the value stopped being basic. */
export type SummaryConversion =
  | { basic: true; value: SummaryValue }
  | { basic: false; path: string; typeName: string };

class NotBasic {
  constructor(
    readonly path: string,
    readonly typeName: string,
  ) {}
}

function convert(value: unknown, path: string, ancestors: Set<object>): SummaryValue | undefined {
  switch (typeof value) {
    case "number":
    case "string":
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "bigint":
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case "function":
    case "symbol":
      throw new NotBasic(path, describeType(value));
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) throw new NotBasic(path, `${describeType(object)} (reference cycle)`);
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  const isArray = Array.isArray(object);
  if (!isArray && !(object instanceof Set) && !(object instanceof Map) && !isPlainObject(object)) {
    throw new NotBasic(path, describeType(object));
  }
  ancestors.add(object);
  try {
    if (isArray || object instanceof Set) {
      return Array.from(object as Iterable<unknown>, (item, i) => convert(item, `${path}[${i}]`, ancestors) ?? null);
    }
    if (object instanceof Map) return convertMap(object, path, ancestors);
    const result: { [key: string]: SummaryValue } = {};
    for (const [key, item] of Object.entries(object)) {
      const converted = convert(item, `${path}.${key}`, ancestors);
      if (converted !== undefined) result[key] = converted;
    }
    return result;
  } finally {
    ancestors.delete(object);
  }
}

function convertMap(map: Map<unknown, unknown>, path: string, ancestors: Set<object>): SummaryValue {
  const simpleKeys = [...map.keys()].every((key) => ["string", "number", "boolean"].includes(typeof key));
  if (simpleKeys) {
    const result: { [key: string]: SummaryValue } = {};
    for (const [key, item] of map) {
      const converted = convert(item, `${path}.get(${JSON.stringify(key)})`, ancestors);
      if (converted !== undefined) result[String(key)] = converted;
    }
    return result;
  }
  let i = 0;
  const pairs: SummaryValue[] = [];
  for (const [key, item] of map) {
    pairs.push([convert(key, `${path}.<key ${i}>`, ancestors) ?? null, convert(item, `${path}.<value ${i}>`, ancestors) ?? null]);
    i++;
  }
  return pairs;
}

/** Converts a value for `run.summary`, or says which part of it is not a basic value. */
export function toSummaryValue(value: unknown, name: string): SummaryConversion {
  try {
    return { basic: true, value: convert(value, name, new Set()) ?? null };
  } catch (error) {
    if (error instanceof NotBasic) return { basic: false, path: error.path, typeName: error.typeName };
    throw error;
  }
}
