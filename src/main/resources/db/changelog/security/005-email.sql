--liquibase formatted sql

--changeset backout:security-005-email
-- Where the console tells a person that an approval waits for them, or that theirs was decided.
alter table console_user add column email varchar(254);
alter table console_user add constraint console_user_email_format check (email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$');
