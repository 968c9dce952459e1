--liquibase formatted sql

--changeset backout:audit-003-participants splitStatements:false
-- Who acted in which incident, derived from the trail by trigger: "incidents this person acted
-- in" becomes an index lookup instead of a scan of that person's events.
create table audit_participant (
    actor       varchar(100) not null,
    incident_id bigint       not null,
    primary key (actor, incident_id)
);
insert into audit_participant (actor, incident_id)
select distinct actor, incident_id from audit_event where incident_id is not null;

create function audit_event_note_participant() returns trigger language plpgsql as $$
begin
    if new.incident_id is not null then
        insert into audit_participant (actor, incident_id) values (new.actor, new.incident_id) on conflict do nothing;
    end if;
    return new;
end
$$;
create trigger audit_event_participant after insert on audit_event
    for each row execute function audit_event_note_participant();
