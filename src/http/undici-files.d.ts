// Types of the undici files rampart imports by path (src/http/undici-parts.ts): the package's own
// types describe only its index, which exports these very values.
declare module 'undici/lib/dispatcher/client.js' {
  const Client: typeof import('undici').Client;
  export default Client;
}
declare module 'undici/lib/core/connect.js' {
  const buildConnector: typeof import('undici').buildConnector;
  export default buildConnector;
}
