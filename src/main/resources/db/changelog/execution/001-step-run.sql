--liquibase formatted sql

--changeset backout:execution-001-journal
-- The write-ahead journal: STARTED is committed before a step is sent to the target.
create table step_run (
    id             bigint generated always as identity primary key,
    incident_id    bigint       not null,
    target_id      bigint       not null references target (id),
    plan_hash      char(64)     not null,
    phase          varchar(20)  not null,
    step_id        varchar(64)  not null,
    attempt        integer      not null,
    kind           varchar(10)  not null,
    transactional  boolean      not null,
    state          varchar(10)  not null check (state in ('STARTED', 'SUCCEEDED', 'FAILED', 'UNKNOWN', 'SKIPPED')),
    started_at     timestamptz  not null,
    ended_at       timestamptz,
    rows_affected  bigint,
    count_before   text,
    check_value    text,
    check_passed   boolean,
    notices        text,
    sqlstate       varchar(5),
    error          text,
    backend_pid    integer,
    actor          varchar(100) not null,
    resolution     text,
    unique (incident_id, step_id, attempt)
);
-- At most one step of an incident in flight, whatever the number of tabs and console instances.
create unique index step_run_one_in_flight on step_run (incident_id) where state = 'STARTED';
create index step_run_incident_idx on step_run (incident_id, id);
