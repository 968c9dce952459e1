--liquibase formatted sql

--changeset backout:incident-005-rehearsal
-- A rehearsal of an incident's plan: its steps run in one target transaction that was rolled back.
create table rehearsal (
    id           bigserial    primary key,
    incident_id  bigint       not null references incident (id),
    plan_hash    varchar(64)  not null,
    passed       boolean      not null,
    rehearsed_by varchar(40)  not null,
    started_at   timestamptz  not null,
    content      jsonb        not null
);
create index rehearsal_incident on rehearsal (incident_id, id desc);
