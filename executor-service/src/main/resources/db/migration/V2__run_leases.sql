-- Which executor holds each run, until when, and a number that grows with every taking over (docs/adr/0030).
-- Every write of a run names its holder and number, so the write of an executor that lost the run changes nothing,
-- and a run is taken over only once its lease has lapsed or was given up: a step is never called by two executors.
alter table runs add column lease_holder text;
alter table runs add column lease_until timestamptz;
alter table runs add column epoch bigint not null default 0;
