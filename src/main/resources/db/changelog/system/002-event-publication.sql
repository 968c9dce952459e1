--liquibase formatted sql

--changeset backout:system-002-event-publication
-- Spring Modulith's event publication registry (its PostgreSQL schema, version 2): a notification is
-- stored here in the transaction of the change it announces and stays until it is delivered, so a
-- restart or a dead endpoint loses nothing; completed publications are deleted.
create table event_publication (
    id                     uuid                     not null primary key,
    listener_id            text                     not null,
    event_type             text                     not null,
    serialized_event       text                     not null,
    publication_date       timestamp with time zone not null,
    completion_date        timestamp with time zone,
    status                 text,
    completion_attempts    integer,
    last_resubmission_date timestamp with time zone
);
create index event_publication_serialized_event_hash_idx on event_publication using hash (serialized_event);
create index event_publication_by_completion_date_idx on event_publication (completion_date);
create index event_publication_by_status on event_publication (status) where completion_date is null;
