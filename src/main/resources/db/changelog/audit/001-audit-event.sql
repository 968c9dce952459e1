--liquibase formatted sql

--changeset backout:audit-001-event-table
create table audit_event (
    seq          bigint       primary key,
    occurred_at  timestamptz  not null,
    actor        varchar(100) not null,
    actor_roles  varchar(200) not null default '',
    incident_id  bigint,
    action       varchar(80)  not null,
    details      jsonb        not null default '{}'::jsonb,
    prev_hash    char(64)     not null,
    hash         char(64)     not null unique,
    constraint audit_event_seq_positive check (seq > 0)
);
create index audit_event_occurred_at_idx on audit_event (occurred_at desc, seq desc);
create index audit_event_incident_idx on audit_event (incident_id, seq) where incident_id is not null;
create index audit_event_actor_idx on audit_event (actor, seq desc);

--changeset backout:audit-001-append-only splitStatements:false
create function audit_event_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only: % is refused', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_event_no_update_or_delete
    before update or delete on audit_event
    for each row execute function audit_event_refuse_change();
create trigger audit_event_no_truncate
    before truncate on audit_event
    for each statement execute function audit_event_refuse_change();
