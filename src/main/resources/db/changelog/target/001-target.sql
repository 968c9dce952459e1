--liquibase formatted sql

--changeset backout:target-001-registry
create table target (
    id                 bigint generated always as identity primary key,
    name               varchar(64)  not null unique,
    alias_group        varchar(64)  not null,
    environment        varchar(20)  not null,
    jdbc_url           varchar(500) not null,
    username           varchar(100) not null,
    password_encrypted bytea,
    created_at         timestamptz  not null default now(),
    updated_at         timestamptz  not null default now(),
    constraint target_environment_known check (environment in ('PRODUCTION', 'STAGING', 'DEMO')),
    constraint target_name_format check (name ~ '^[a-z0-9][a-z0-9_-]*$'),
    constraint target_alias_format check (alias_group ~ '^[a-z0-9][a-z0-9_-]*$')
);

create table schema_snapshot (
    id          bigint generated always as identity primary key,
    incident_id bigint       not null,
    target_id   bigint       not null references target (id),
    kind        varchar(10)  not null check (kind in ('BEFORE', 'AFTER')),
    taken_at    timestamptz  not null default now(),
    content     text         not null,
    unique (incident_id, kind)
);
