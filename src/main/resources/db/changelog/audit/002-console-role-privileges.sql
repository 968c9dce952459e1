--liquibase formatted sql

-- Runs at every start, after every other changeset, so tables added later are covered too.
-- The console's role may change its own tables, but only read and append the trail: UPDATE,
-- DELETE and TRUNCATE on audit_event are refused by privileges (and, for anyone, by its triggers).
-- Where the console runs as the tables' owner, REVOKE takes the owner's own privileges; only a
-- superuser is beyond privileges, and the hash chain and signed checkpoints expose what one does.

--changeset backout:audit-002-console-role-privileges runAlways:true
grant select, insert, update, delete on all tables in schema public to ${consoleRole};
grant usage, select, update on all sequences in schema public to ${consoleRole};
revoke update, delete, truncate on audit_event from ${consoleRole};
revoke update, delete, truncate on audit_event from public;
