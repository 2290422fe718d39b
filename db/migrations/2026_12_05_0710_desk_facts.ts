// Issue #14, "Desks families can act on": what a family needs before going to a desk, as data staff
// edit in the desk's settings. Languages spoken (ISO 639 codes, named in the reader's language by
// Intl.DisplayNames), the weekdays a cultural mediator is there, step-free access (NULL: not known
// yet, never guessed), what to bring (localized text), the nearest metro/tram/bus lines (proper
// names, not translated) and the coordinates behind the map links and the "nearest desk" sorting.
// facts_are_sample marks values nobody at the Comune has confirmed yet; the desks written so far
// get such sample values (the seed writes the same ones on an empty database).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE desk
      ADD COLUMN languages text[] NOT NULL DEFAULT '{it}'
        CHECK (cardinality(languages) BETWEEN 1 AND 12
          AND array_to_string(languages, ',') ~ '^[a-z]{2,3}(,[a-z]{2,3})*$'),
      ADD COLUMN mediator_weekdays smallint[] NOT NULL DEFAULT '{}'
        CHECK (mediator_weekdays <@ '{1,2,3,4,5,6,7}'::smallint[]),
      ADD COLUMN step_free boolean,
      ADD COLUMN what_to_bring jsonb CHECK (what_to_bring IS NULL OR jsonb_typeof(what_to_bring -> 'it') = 'string'),
      ADD COLUMN transit text CHECK (transit IS NULL OR length(transit) BETWEEN 1 AND 200),
      ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90),
      ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180),
      ADD COLUMN facts_are_sample boolean NOT NULL DEFAULT false,
      ADD CONSTRAINT desk_coordinates_together CHECK ((latitude IS NULL) = (longitude IS NULL));
    CREATE INDEX desk_languages ON desk USING gin (languages);
    UPDATE desk SET
      languages = '{it,en,ar}',
      step_free = true,
      what_to_bring = '{"it":"Un documento d''identità e, se li hai, i documenti dei servizi che già segui."}',
      facts_are_sample = true
      WHERE is_sample_address;
    UPDATE desk SET transit = v.transit, latitude = v.lat, longitude = v.lon
      FROM (VALUES
        ('quarto-oggiaro', 'Passante S Quarto Oggiaro; bus 40, 57', 45.5137, 9.1371),
        ('gallaratese', 'M1 Bonola; bus 68, 69', 45.4957, 9.1128),
        ('villapizzone', 'Passante S Villapizzone; tram 12, 14', 45.5012, 9.1515)
      ) AS v(slug, transit, lat, lon)
      WHERE desk.slug = v.slug;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    DROP INDEX desk_languages;
    ALTER TABLE desk DROP CONSTRAINT desk_coordinates_together,
      DROP COLUMN languages, DROP COLUMN mediator_weekdays, DROP COLUMN step_free, DROP COLUMN what_to_bring,
      DROP COLUMN transit, DROP COLUMN latitude, DROP COLUMN longitude, DROP COLUMN facts_are_sample;
  `,
  );
}
