-- DESTRUCTIVE: removes the coaching tables and functions, and ALL coaching data.
-- Only with a backup of the data, when no other fix is possible.

-- Data that will be deleted
SELECT (SELECT count(*) FROM sponsor_connections) AS connections,
       (SELECT count(*) FROM sponsor_chat_messages) AS chat_messages,
       (SELECT count(*) FROM sponsor_visible_memos) AS memos;

-- The DROP statements are commented out: uncomment them to run the rollback.
-- DROP TABLE IF EXISTS sponsor_visible_memos CASCADE;
-- DROP TABLE IF EXISTS sponsor_chat_messages CASCADE;
-- DROP TABLE IF EXISTS sponsor_connections CASCADE;
-- DROP FUNCTION IF EXISTS create_coach_connection(uuid, uuid);
-- DROP FUNCTION IF EXISTS get_unread_memo_count(uuid);

-- Verification
SELECT count(*) FROM information_schema.tables
WHERE table_schema = 'public' AND table_name IN ('sponsor_connections', 'sponsor_chat_messages', 'sponsor_visible_memos');
