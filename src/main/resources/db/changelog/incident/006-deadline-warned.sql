--liquibase formatted sql

--changeset backout:incident-006-deadline-warned
-- Approvers are told once that a decision deadline nears (OverdueIncidents).
alter table incident add column deadline_warned boolean not null default false;
