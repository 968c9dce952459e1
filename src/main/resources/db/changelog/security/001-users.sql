--liquibase formatted sql

--changeset backout:security-001-users
create table console_user (
    id              bigint generated always as identity primary key,
    username        varchar(40)  not null unique,
    password_hash   varchar(200) not null,
    enabled         boolean      not null default true,
    failed_logins   integer      not null default 0,
    locked_until    timestamptz,
    created_at      timestamptz  not null default now(),
    last_login_at   timestamptz,
    constraint console_user_username_format check (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$')
);

create table console_user_role (
    console_user bigint      not null references console_user (id) on delete cascade,
    role         varchar(20) not null,
    primary key (console_user, role),
    constraint console_user_role_known check (role in ('COMMANDER', 'TEAM_LEAD', 'CTO', 'ON_CALL', 'AUDITOR', 'ADMIN'))
);
