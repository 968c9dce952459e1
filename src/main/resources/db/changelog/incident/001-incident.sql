--liquibase formatted sql

--changeset backout:incident-001-incident
create table incident (
    id                      bigint generated always as identity primary key,
    runbook_id              varchar(64)  not null,
    runbook_hash            char(64)     not null,
    runbook_title           varchar(200) not null,
    target_id               bigint       not null references target (id),
    commander               varchar(40)  not null,
    symptom                 text         not null,
    severity                varchar(4)   not null check (severity in ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
    detected_at             timestamptz  not null,
    opened_at               timestamptz  not null,
    deadline_at             timestamptz,
    overdue                 boolean      not null default false,
    state                   varchar(20)  not null,
    answers                 jsonb        not null default '[]'::jsonb,
    outcome                 varchar(30),
    partial_steps           jsonb        not null default '[]'::jsonb,
    decision_reason         text,
    plan_hash               char(64),
    skipped_steps           jsonb        not null default '[]'::jsonb,
    lead_unreachable_reason text,
    summary                 text,
    closed_at               timestamptz,
    version                 integer      not null default 0
);
-- One incident executes on one target at a time (the advisory lock guards each step; this, the incident).
create unique index incident_one_executing_per_target on incident (target_id)
    where state in ('APPROVED', 'EXECUTING', 'HALTED', 'VERIFYING');
create index incident_state_idx on incident (state, opened_at desc);
