-- Integrations a plan run's user had no account for when it was accepted (docs/adr/0020): connecting one tells the run.
alter table runs add column awaiting_connections text[] not null default '{}';
