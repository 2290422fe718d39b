// Whom to write to or call in each municipio: its QuBì network's email and phone (sample values
// marked as such until the Comune gives the real ones) and how many desks it has. Read side of the
// Contatti page and of a municipio with no desk yet (the desks page).
import type { Db } from '#/server/db/database.ts';

export interface NetworkContact {
  municipioId: number;
  municipio: string;
  quartieri: string[];
  network: string;
  email: string | null;
  phone: string | null;
  isSample: boolean;
  deskCount: number;
}

export async function listNetworkContacts(db: Db, municipioId?: number): Promise<NetworkContact[]> {
  let query = db
    .selectFrom('municipio')
    .leftJoin('network', 'network.municipio_id', 'municipio.id')
    .select((eb) => [
      'municipio.id',
      'municipio.name',
      'municipio.quartieri',
      'network.name as network',
      'network.email',
      'network.phone',
      'network.is_sample',
      eb
        .selectFrom('desk')
        .whereRef('desk.municipio_id', '=', 'municipio.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('desk_count'),
    ])
    .orderBy('municipio.id');
  if (municipioId !== undefined) query = query.where('municipio.id', '=', municipioId);
  const rows = await query.execute();
  return rows.map((r) => ({
    municipioId: r.id,
    municipio: r.name,
    quartieri: r.quartieri,
    network: r.network ?? `Rete QuBì ${r.name}`,
    email: r.email ?? null,
    phone: r.phone ?? null,
    isSample: r.is_sample ?? false,
    deskCount: Number(r.desk_count ?? 0),
  }));
}
