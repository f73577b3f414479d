// The VS Code extension (editors/vscode): its manifest contributes the language, the grammar and
// the configuration; its copies of grammar/ are current; and activate() starts `evg lsp` over
// stdio through vscode-languageclient (both modules are replaced by recording fakes here, so
// nothing is installed or downloaded).
import { describe, test, expect } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { join, resolve } from 'node:path';

const EXT = resolve('editors/vscode');
const manifest = JSON.parse(readFileSync(join(EXT, 'package.json'), 'utf8')) as {
  main: string; engines: { vscode: string }; dependencies: Record<string, string>;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string }[];
  };
};

describe('editors/vscode', () => {
  test('the manifest contributes the language evg for .evg files, its grammar and configuration', () => {
    expect(manifest.contributes.languages).toEqual([expect.objectContaining({ id: 'evg', extensions: ['.evg'] })]);
    const [grammar] = manifest.contributes.grammars;
    expect(grammar).toEqual({ language: 'evg', scopeName: 'source.evg', path: './syntaxes/evg.tmLanguage.json' });
    expect(JSON.parse(readFileSync(join(EXT, grammar!.path), 'utf8')).scopeName).toBe('source.evg');
    expect(existsSync(join(EXT, manifest.contributes.languages[0]!.configuration))).toBe(true);
    expect(existsSync(join(EXT, manifest.main))).toBe(true);
    expect(manifest.dependencies).toHaveProperty('vscode-languageclient');
  });

  test('the copies of the grammar and the language configuration are those of grammar/', () => {
    expect(readFileSync(join(EXT, 'syntaxes/evg.tmLanguage.json'), 'utf8')).toBe(readFileSync('grammar/evg.tmLanguage.json', 'utf8'));
    expect(readFileSync(join(EXT, 'language-configuration.json'), 'utf8')).toBe(readFileSync('grammar/language-configuration.json', 'utf8'));
  });

  test('the extension\'s dependencies are its own, not the repository\'s', () => {
    const root = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies?: object; devDependencies?: object };
    expect(Object.keys({ ...root.dependencies, ...root.devDependencies })).not.toContain('vscode-languageclient');
  });

  test('activate() starts `evg lsp` over stdio for evg documents; the setting overrides the command', () => {
    const clients: { id: string; server: { command: string; args: string[]; transport: number }; client: { documentSelector: unknown[] }; started: number }[] = [];
    const commands = new Map<string, () => unknown>();
    let settings: Record<string, unknown> = {};
    const fakeVscode = {
      workspace: {
        getConfiguration: () => ({ get: (k: string) => settings[k] }),
        workspaceFolders: [],
        createFileSystemWatcher: (glob: string) => ({ glob }),
      },
      commands: { registerCommand: (name: string, f: () => unknown) => { commands.set(name, f); return { dispose() {} }; } },
    };
    class LanguageClient {
      started = 0;
      constructor(readonly id: string, _name: string, readonly server: { command: string; args: string[]; transport: number }, readonly client: { documentSelector: unknown[] }) {
        clients.push(this as never);
      }
      start() { this.started++; return Promise.resolve(); }
      stop() { return Promise.resolve(); }
    }
    const fakeClient = { LanguageClient, TransportKind: { stdio: 0, ipc: 1 } };
    const mod = Module as unknown as { _load: (req: string, ...rest: unknown[]) => unknown };
    const load = mod._load;
    mod._load = (req: string, ...rest: unknown[]) =>
      req === 'vscode' ? fakeVscode : req === 'vscode-languageclient/node' ? fakeClient : load(req, ...rest);
    try {
      const require = createRequire(import.meta.url);
      const ext = require(join(EXT, 'extension.js')) as { activate: (c: { subscriptions: unknown[] }) => void; serverCommand: () => { command: string; args: string[] } };
      const context = { subscriptions: [] as unknown[] };
      ext.activate(context);
      expect(clients).toHaveLength(1);
      expect(clients[0]!.server).toEqual({ command: 'evg', args: ['lsp'], transport: 0 });
      expect(clients[0]!.client.documentSelector).toContainEqual({ scheme: 'file', language: 'evg' });
      expect(clients[0]!.started).toBe(1);
      expect(commands.has('evg.restartServer')).toBe(true);
      expect(manifest.contributes.commands.map((c) => c.command)).toContain('evg.restartServer');
      settings = { 'server.path': 'node', 'server.args': ['/opt/evg/bin/evg.js'] };
      expect(ext.serverCommand()).toEqual({ command: 'node', args: ['/opt/evg/bin/evg.js', 'lsp'] });
    } finally {
      mod._load = load;
    }
  });
});
