--liquibase formatted sql

--changeset backout:runbook-001-versions
create table runbook_version (
    runbook_id    varchar(64)  not null,
    hash          char(64)     not null,
    title         varchar(200) not null,
    source        text         not null,
    file          varchar(500) not null,
    first_seen_at timestamptz  not null default now(),
    primary key (runbook_id, hash)
);
create index runbook_version_history_idx on runbook_version (runbook_id, first_seen_at desc);
