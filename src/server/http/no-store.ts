// Pages that show what one person typed or received (a form's answers, a confirmation, a secret
// link's page) are never stored by a browser or a proxy.
import type { AstroGlobal } from 'astro';

export function noStore(astro: Pick<AstroGlobal, 'response'>): void {
  astro.response.headers.set('Cache-Control', 'no-store');
}
