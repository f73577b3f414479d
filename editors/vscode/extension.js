// The evg extension for VS Code: the language (grammar and configuration, from package.json) and
// a language client that starts `evg lsp` over stdio. Plain CommonJS: nothing to compile.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/** The evg command: the setting, else the workspace's node_modules/.bin/evg, else `evg` on the PATH. */
function serverCommand() {
  const config = vscode.workspace.getConfiguration('evg');
  const configured = config.get('server.path');
  const args = config.get('server.args') || [];
  if (configured) return { command: configured, args: [...args, 'lsp'] };
  for (const folder of vscode.workspace.workspaceFolders || []) {
    const local = path.join(folder.uri.fsPath, 'node_modules', '.bin', process.platform === 'win32' ? 'evg.cmd' : 'evg');
    if (fs.existsSync(local)) return { command: local, args: [...args, 'lsp'] };
  }
  return { command: 'evg', args: [...args, 'lsp'] };
}

function createClient() {
  const { command, args } = serverCommand();
  /** @type {import('vscode-languageclient/node').ServerOptions} */
  const serverOptions = { command, args, transport: TransportKind.stdio };
  /** @type {import('vscode-languageclient/node').LanguageClientOptions} */
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'evg' }, { scheme: 'untitled', language: 'evg' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{evg,csv,json}') },
  };
  return new LanguageClient('evg', 'evg language server', serverOptions, clientOptions);
}

/** @param {import('vscode').ExtensionContext} context */
function activate(context) {
  client = createClient();
  void client.start();
  context.subscriptions.push(
    vscode.commands.registerCommand('evg.restartServer', async () => {
      if (client) await client.stop();
      client = createClient();
      await client.start();
    }),
    { dispose: () => (client ? client.stop() : undefined) },
  );
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, serverCommand };
