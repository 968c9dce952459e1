--liquibase formatted sql

--changeset backout:security-003-token-expiry
-- Tokens expire; those made before expiry existed get the default 90 days from now.
alter table api_token add column expires_at timestamptz;
update api_token set expires_at = now() + interval '90 days' where expires_at is null;
alter table api_token alter column expires_at set not null;
