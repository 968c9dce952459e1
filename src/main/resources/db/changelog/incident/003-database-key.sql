--liquibase formatted sql

--changeset backout:incident-003-database-key
-- The database an incident's plan runs on, as the server names it (system identifier and
-- database name), learnt when approval is requested: two registrations of one database share it.
alter table incident add column database_key text;
drop index incident_one_executing_per_target;
-- One incident holds a database from approval to its end, whichever registration it came through.
create unique index incident_one_executing_per_database on incident (coalesce(database_key, 'target ' || target_id))
    where state in ('APPROVED', 'EXECUTING', 'HALTED', 'VERIFYING');
