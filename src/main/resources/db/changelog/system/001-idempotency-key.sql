--liquibase formatted sql

--changeset backout:system-001-idempotency-key
-- API requests that create something, remembered by the caller's Idempotency-Key for a day: a retry
-- gets the first answer instead of a second incident or a second approval.
create table idempotency_key (
    owner        varchar(40)   not null,
    key          varchar(200)  not null,
    path         varchar(500)  not null,
    request_hash char(64)      not null,
    status       integer,
    content_type varchar(200),
    body         text,
    created_at   timestamptz   not null default now(),
    primary key (owner, key)
);
create index idempotency_key_created on idempotency_key (created_at);
