--liquibase formatted sql

--changeset backout:incident-004-command-offer
-- Command of an incident changes hands only when the person it is offered to accepts.
create table command_offer (
    incident_id bigint       primary key references incident (id),
    offered_to  varchar(40)  not null,
    offered_by  varchar(40)  not null,
    offered_at  timestamptz  not null
);
