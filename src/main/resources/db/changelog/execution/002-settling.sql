--liquibase formatted sql

--changeset backout:execution-002-settling
-- A STARTED attempt whose connection was lost: set until its marker settles it.
alter table step_run add column settling_since timestamptz;
