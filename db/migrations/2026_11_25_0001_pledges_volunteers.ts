// Frozen: never edit a migration that has shipped; add a new one.
// Zaino sospeso pledges (quantities enforced by campaign_item's CHECK) and volunteer sign-ups.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    CREATE TABLE pledge (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      reference text NOT NULL UNIQUE CHECK (reference ~ '^ZS-[A-Z0-9]{4}-[A-Z0-9]{2}$'),
      campaign_id integer NOT NULL REFERENCES campaign(id),
      collection_window_id integer NOT NULL REFERENCES collection_window(id),
      status text NOT NULL DEFAULT 'pledged' CHECK (status IN ('pledged', 'received', 'not_brought', 'cancelled', 'expired')),
      first_name text CHECK (first_name IS NULL OR length(first_name) BETWEEN 1 AND 80),
      email text CHECK (email IS NULL OR length(email) <= 254),
      phone text CHECK (phone IS NULL OR phone ~ '^\\+?[0-9]{6,15}$'),
      locale text NOT NULL CHECK (locale IN ('it', 'en', 'ar', 'es', 'zh')),
      manage_token_hash text UNIQUE,
      submission_key text UNIQUE CHECK (submission_key IS NULL OR length(submission_key) <= 64),
      created_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz,
      erased_at timestamptz,
      CHECK (erased_at IS NOT NULL OR email IS NOT NULL OR phone IS NOT NULL)
    );
    CREATE INDEX pledge_window_idx ON pledge (collection_window_id, status);
    CREATE INDEX pledge_open_idx ON pledge (status) WHERE status = 'pledged';

    -- What a pledge promises. While the pledge is open its quantities are counted in
    -- campaign_item.pledged; cancelling or expiring it gives them back.
    CREATE TABLE pledge_item (
      pledge_id integer NOT NULL REFERENCES pledge(id) ON DELETE CASCADE,
      campaign_item_id integer NOT NULL REFERENCES campaign_item(id),
      quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
      PRIMARY KEY (pledge_id, campaign_item_id)
    );
    CREATE INDEX pledge_item_item_idx ON pledge_item (campaign_item_id);

    ALTER TABLE outbox ADD COLUMN pledge_id integer REFERENCES pledge(id) ON DELETE CASCADE;
    CREATE INDEX outbox_pledge_idx ON outbox (pledge_id);

    CREATE TABLE volunteer (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      email text NOT NULL UNIQUE CHECK (length(email) <= 254 AND email = lower(email)),
      phone text CHECK (phone IS NULL OR phone ~ '^\\+?[0-9]{6,15}$'),
      municipi smallint[] NOT NULL CHECK (cardinality(municipi) >= 1 AND municipi <@ ARRAY[1, 2, 3, 4, 5, 6, 7, 8, 9]::smallint[]),
      skills text[] NOT NULL CHECK (cardinality(skills) >= 1 AND skills <@ ARRAY['events', 'homework', 'distribution', 'translation', 'accompaniment', 'other']::text[]),
      languages text[] NOT NULL DEFAULT '{}',
      availability text[] NOT NULL DEFAULT '{}',
      note text CHECK (note IS NULL OR length(note) <= 1000),
      locale text NOT NULL CHECK (locale IN ('it', 'en', 'ar', 'es', 'zh')),
      status text NOT NULL DEFAULT 'unconfirmed' CHECK (status IN ('unconfirmed', 'new', 'contacted', 'active', 'inactive')),
      confirm_token_hash text UNIQUE,
      confirm_expires_at timestamptz,
      -- Random per volunteer, never sent: withdraw links are an HMAC of it with the server secret,
      -- so every email can carry a valid link without storing a usable token.
      withdraw_key text NOT NULL,
      consent_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      confirmed_at timestamptz
    );
    CREATE INDEX volunteer_unconfirmed_idx ON volunteer (confirm_expires_at) WHERE status = 'unconfirmed';
    ALTER TABLE outbox ADD COLUMN volunteer_id integer REFERENCES volunteer(id) ON DELETE CASCADE;
    CREATE INDEX outbox_volunteer_idx ON outbox (volunteer_id);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE outbox DROP COLUMN volunteer_id;
    ALTER TABLE outbox DROP COLUMN pledge_id;
    DROP TABLE volunteer, pledge_item, pledge;
  `,
  );
}
