/**
 * Decoding what a decorator was applied to, under both TypeScript conventions:
 * legacy `experimentalDecorators` (tslab compiles cells with it) and standard ECMAScript decorators.
 */

/** What a decorator is being applied to, whichever convention the compiler used. */
export type DecoratorTarget =
  | { kind: "method"; fn: Function; name: string }
  | { kind: "class"; ctor: Function; name: string };

/** Any decorator of this project: usable on methods and classes, in both conventions. */
export interface UniversalDecorator {
  /** Standard ECMAScript decorator on a method or class. */
  (value: Function, context: ClassMethodDecoratorContext | ClassDecoratorContext): void;
  /** Legacy decorator on a method. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): void;
  /** Legacy decorator on a class. */
  (ctor: Function): void;
}

function isStandardContext(value: unknown): value is { kind: string; name: unknown } {
  return typeof value === "object" && value !== null && "kind" in value && "name" in value;
}

/**
 * True when `args` are the arguments of a decorator application (bare `@deco`), false when they
 * are the options of a decorator factory call (`@deco({...})` or `@deco()`).
 */
export function isDecoratorApplication(args: readonly unknown[]): boolean {
  if (args.length === 1) return typeof args[0] === "function";
  if (args.length === 2) return isStandardContext(args[1]);
  return args.length === 3;
}

/** Reads the target of a decorator application; `decoratorName` is used in error messages. */
export function decodeDecoratorTarget(args: readonly unknown[], decoratorName: string): DecoratorTarget {
  const [first, second, third] = args;
  if (args.length === 2 && isStandardContext(second)) {
    if (second.kind === "method" && typeof first === "function") {
      return { kind: "method", fn: first, name: String(second.name) };
    }
    if (second.kind === "class" && typeof first === "function") {
      return { kind: "class", ctor: first, name: String(second.name ?? first.name) };
    }
    throw new TypeError(
      `@${decoratorName} can decorate a step method or a flow class, not a ${second.kind} ('${String(second.name)}').`,
    );
  }
  if (args.length === 3) {
    const descriptor = third as PropertyDescriptor | undefined;
    if (typeof descriptor?.value === "function") {
      return { kind: "method", fn: descriptor.value as Function, name: String(second) };
    }
    throw new TypeError(
      `@${decoratorName} can decorate a step method or a flow class, not the property '${String(second)}'.`,
    );
  }
  if (args.length === 1 && typeof first === "function") return { kind: "class", ctor: first, name: first.name };
  throw new TypeError(`@${decoratorName} was applied to something it cannot decorate.`);
}
