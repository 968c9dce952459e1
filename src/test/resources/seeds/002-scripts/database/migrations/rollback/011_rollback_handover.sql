-- Rollback of 011_remove_handover.sql: restores the handover system.
BEGIN;

CREATE TABLE IF NOT EXISTS handover_notifications (
  id bigserial PRIMARY KEY,
  conversation_id bigint NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  professional_id bigint REFERENCES users (id),
  status varchar(32) NOT NULL DEFAULT 'pending',
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE conversations ADD COLUMN IF NOT EXISTS handed_over_at timestamptz;
ALTER TYPE conversation_status ADD VALUE IF NOT EXISTS 'handed_over' BEFORE 'closed';
ALTER TYPE message_sender ADD VALUE IF NOT EXISTS 'professional' AFTER 'assistant';

COMMIT;
