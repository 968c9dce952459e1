--liquibase formatted sql

--changeset backout:runbook-002-catalog-generation
-- One number that every reload of the runbook catalog moves on: the other instances see it change
-- and read their runbook files again (RunbookCatalog.followOtherInstances).
create table runbook_catalog (
    id         integer primary key default 1 check (id = 1),
    generation bigint  not null
);
insert into runbook_catalog (id, generation) values (1, 0);
