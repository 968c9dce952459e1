-- Rollback of 010_transform_to_knowledge_base.sql: knowledge_bases back to digital_twins.
BEGIN;

ALTER TABLE knowledge_bases RENAME TO digital_twins;
ALTER TABLE conversations RENAME COLUMN kb_id TO twin_id;
ALTER TABLE conversations RENAME CONSTRAINT conversations_kb_id_fkey TO conversations_twin_id_fkey;
ALTER TABLE digital_twins
  ADD COLUMN IF NOT EXISTS personality_traits jsonb NOT NULL DEFAULT '{}'::jsonb,
  ADD COLUMN IF NOT EXISTS communication_style text,
  ADD COLUMN IF NOT EXISTS capabilities text[] NOT NULL DEFAULT ARRAY[]::text[];
ALTER TABLE digital_twins
  DROP COLUMN IF EXISTS description,
  DROP COLUMN IF EXISTS is_public,
  DROP COLUMN IF EXISTS share_url;

COMMIT;
