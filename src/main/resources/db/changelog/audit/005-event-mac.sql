--liquibase formatted sql

--changeset backout:audit-005-event-mac
-- Each event's proof of authorship: HMAC-SHA256 under the trail key, which the database never
-- holds. Events written before this change have none; verification names them.
alter table audit_event add column mac char(64);

--changeset backout:audit-005-checkpoint-index
-- Checkpoints continue their numbering from the newest one the trail records.
create index audit_event_checkpoint_idx on audit_event (seq desc) where action = 'TRAIL_CHECKPOINT_WRITTEN';
