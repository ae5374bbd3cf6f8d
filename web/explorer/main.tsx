/**
 * The GraphiQL explorer served at /graphiql and, for browsers, at GET /graphql (see
 * src/server/explorer-page.ts): GraphiQL 4 (CodeMirror 5: no web workers, no injected <style>
 * elements, so it runs under the strict CSP), its query-builder plugin, HTTP for queries and
 * mutations, graphql-ws on the same endpoint for subscriptions. The header editor's headers
 * (e.g. `Authorization: Bearer …`) go with every HTTP request and, as the `connection_init`
 * payload, with every subscription; they are never persisted (storage.ts keeps them out of the
 * history that GraphiQL saves in localStorage).
 */
import { explorerPlugin } from '@graphiql/plugin-explorer';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { parse, type DocumentNode } from 'graphql';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './explorer.css';
import { headerFreeStorage } from './storage';
import { EXAMPLE_TABS } from './tabs';

const root = document.getElementById('graphiql')!;
const endpoint = new URL(root.dataset.endpoint ?? '/graphql', location.href);
const socket = new URL(endpoint);
socket.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

const toolkitFetcher = createGraphiQLFetcher({
  url: endpoint.href,
  // graphql-ws client per subscription; the tab's headers become its connection_init payload.
  subscriptionUrl: socket.href,
  enableIncrementalDelivery: false,
});
// The toolkit picks graphql-ws only when the editor's parsed document says "subscription", and
// the editor re-parses after a change: run right after switching tabs and the previous tab's
// document decides, so a subscription went out as an HTTP POST (400). The text being sent
// decides here; text that does not parse goes as it is, for the server to report.
const fetcher: Fetcher = (params, opts) => {
  let documentAST: DocumentNode | undefined = opts?.documentAST;
  try {
    documentAST = parse(params.query);
  } catch {
    // a syntax error: the server's answer says where
  }
  return toolkitFetcher(params, { ...opts, documentAST });
};
const explorer = explorerPlugin({ showAttribution: false });

createRoot(root).render(
  <GraphiQL
    fetcher={fetcher}
    plugins={[explorer]}
    defaultTabs={EXAMPLE_TABS}
    defaultHeaders=""
    isHeadersEditorEnabled
    shouldPersistHeaders={false}
    storage={headerFreeStorage(localStorage)}
    showPersistHeadersSettings={false}
    defaultEditorToolsVisibility="headers"
  />,
);
