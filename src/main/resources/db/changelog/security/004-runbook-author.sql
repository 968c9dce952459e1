--liquibase formatted sql

--changeset backout:security-004-runbook-author
-- Runbook authors edit and save runbooks in the browser; they run no incident and approve nothing.
alter table console_user_role drop constraint console_user_role_known;
alter table console_user_role add constraint console_user_role_known
    check (role in ('COMMANDER', 'TEAM_LEAD', 'CTO', 'ON_CALL', 'AUDITOR', 'ADMIN', 'RUNBOOK_AUTHOR'));
