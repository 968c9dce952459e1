-- Rollback of 012_oauth_support_fixed.sql: removes OAuth support.
-- Fails if OAuth users exist (users without password_hash): handle them first.
BEGIN;

ALTER TABLE users DROP COLUMN IF EXISTS oauth_provider;
ALTER TABLE users DROP COLUMN IF EXISTS oauth_id;
ALTER TABLE users DROP COLUMN IF EXISTS avatar_url;
ALTER TABLE users ALTER COLUMN password_hash SET NOT NULL;
ALTER TYPE user_role RENAME VALUE 'kb_owner' TO 'professional';

COMMIT;
