--liquibase formatted sql

--changeset backout:security-002-api-tokens
create table api_token (
    id           bigint generated always as identity primary key,
    console_user bigint       not null references console_user (id) on delete cascade,
    name         varchar(80)  not null,
    token_hash   char(64)     not null unique,
    prefix       varchar(12)  not null,
    created_at   timestamptz  not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
