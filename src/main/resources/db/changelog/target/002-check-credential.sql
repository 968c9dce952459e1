--liquibase formatted sql

--changeset backout:target-002-check-credential
-- Checks run before anyone approved anything: a credential that can only read, and an explicit
-- admin decision before they may run as a superuser.
alter table target add column check_username varchar(100);
alter table target add column check_password_encrypted bytea;
alter table target add column allow_superuser_checks boolean not null default false;
