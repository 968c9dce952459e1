--liquibase formatted sql

--changeset backout:incident-002-history-indexes
-- History filters page backwards through incidents by id (keyset): each filter has an index ending in id.
create index incident_runbook_history_idx on incident (runbook_id, id desc);
create index incident_target_history_idx on incident (target_id, id desc);
create index incident_state_history_idx on incident (state, id desc);
create index incident_commander_history_idx on incident (commander, id desc);
create index incident_opened_idx on incident (opened_at);
-- "Incidents a person acted in", answered from the trail.
create index audit_event_actor_incident_idx on audit_event (actor, incident_id) where incident_id is not null;
