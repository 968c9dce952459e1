--liquibase formatted sql

--changeset backout:approval-001-requests
-- What approvers review, as it was when approval was requested; one request per incident, re-opened on change.
create table approval_request (
    incident_id             bigint       primary key,
    runbook_id              varchar(64)  not null,
    runbook_title           varchar(200) not null,
    runbook_hash            char(64)     not null,
    approval_key            char(64)     not null,
    target_name             varchar(64)  not null,
    commander               varchar(40)  not null,
    requested_at            timestamptz  not null,
    clock_started_at        timestamptz  not null,
    deadline_at             timestamptz,
    approvers               jsonb        not null,
    approvals_needed        integer      not null,
    fallback_role           varchar(20),
    fallback_share          numeric,
    commander_may_approve   boolean      not null,
    lead_unreachable_reason text,
    review                  jsonb        not null,
    previous_review         jsonb,
    status                  varchar(10)  not null check (status in ('OPEN', 'APPROVED', 'REJECTED', 'WITHDRAWN'))
);

create table approval (
    id           bigint generated always as identity primary key,
    incident_id  bigint       not null references approval_request (incident_id),
    approver     varchar(40)  not null,
    role         varchar(20)  not null,
    decision     varchar(10)  not null check (decision in ('APPROVED', 'REJECTED')),
    comment      text         not null,
    runbook_hash char(64)     not null,
    approval_key char(64)     not null,
    created_at   timestamptz  not null
);
create index approval_incident_idx on approval (incident_id, id);
