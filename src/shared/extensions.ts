/**
 * Typed extension points between modules. A lower module (orders) declares a key and the shape it
 * needs; a higher module (shipping) implements it; the composition root wires them. This keeps the
 * module dependencies pointing one way (shipping -> orders) while orders can still call into
 * shipping at the moments it owns (redeeming a delivery quote inside the order's transaction).
 */
export class ExtensionKey<T> {
  declare readonly __type?: T;
  constructor(readonly name: string) {}
}

export class Extensions {
  private readonly map = new Map<ExtensionKey<unknown>, unknown>();

  provide<T>(key: ExtensionKey<T>, value: T): this {
    this.map.set(key as ExtensionKey<unknown>, value);
    return this;
  }

  get<T>(key: ExtensionKey<T>): T | undefined {
    return this.map.get(key as ExtensionKey<unknown>) as T | undefined;
  }

  /** Every value provided under a list key. */
  list<T>(key: ExtensionKey<T[]>): T[] {
    return (this.get(key) ?? []) as T[];
  }

  add<T>(key: ExtensionKey<T[]>, value: T): this {
    return this.provide(key, [...this.list(key), value]);
  }
}
