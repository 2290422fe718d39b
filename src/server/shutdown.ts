// Hooks run when the process drains on SIGTERM. The bundle and the start script are separate
// module graphs, so the registry lives on globalThis under a well-known symbol.
const KEY = Symbol.for('qubi.shutdownHooks');
type Hook = () => Promise<unknown> | unknown;

function hooks(): Hook[] {
  const g = globalThis as unknown as Record<symbol, Hook[] | undefined>;
  return (g[KEY] ??= []);
}

export function onShutdown(hook: Hook): void {
  hooks().push(hook);
}

/** Runs every hook once, last registered first, and reports failures without stopping. */
export async function runShutdownHooks(): Promise<void> {
  const list = hooks().splice(0).reverse();
  for (const hook of list) {
    try {
      await hook();
    } catch (error) {
      console.error('[shutdown] hook failed:', error instanceof Error ? error.message : error);
    }
  }
}
