// Tests read JSON bodies of their own server loosely; the assertions check the shape.
export {};
declare global {
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json(): Promise<any>;
  }
}
