--liquibase formatted sql

--changeset backout:audit-004-last-incident-index
-- The runbook list's "last incident" column reads the newest INCIDENT_OPENED per runbook.
create index audit_event_incident_opened_idx on audit_event ((details->>'runbook'), seq desc)
    where action = 'INCIDENT_OPENED';
