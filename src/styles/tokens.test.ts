import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const declarations = (css: string) =>
  new Map([...css.matchAll(/(--it-[a-z0-9-]+):\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));

describe('design tokens', () => {
  it('match the values of design-tokens-italia', () => {
    const ours = declarations(readFileSync(new URL('./tokens.css', import.meta.url), 'utf8'));
    const upstream = declarations(readFileSync(require.resolve('design-tokens-italia/dist/css/variables.css'), 'utf8'));
    expect(ours.size).toBeGreaterThan(10);
    for (const [name, value] of ours) expect({ name, value }).toEqual({ name, value: upstream.get(name) });
  });
});
