-- Resets sponsor_connections_id_seq to a safe value: past every existing id.
-- No data loss; can be run multiple times.
BEGIN;

-- Before
SELECT last_value, is_called FROM sponsor_connections_id_seq;

SELECT setval('sponsor_connections_id_seq', COALESCE((SELECT max(id) FROM sponsor_connections), 0) + 1, false);

-- After
SELECT last_value, is_called FROM sponsor_connections_id_seq;

COMMIT;
