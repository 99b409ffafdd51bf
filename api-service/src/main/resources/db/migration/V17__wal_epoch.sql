-- The read model commits without waiting for its WAL flush and acknowledges its Kafka offsets only once PostgreSQL has
-- flushed past the commit (ADR 0009). PostgreSQL empties an unlogged table when it recovers from a crash or an
-- immediate shutdown, which is exactly when commits not yet flushed are lost: an epoch that changed tells a replica to
-- write its unacknowledged batches again.
create unlogged table wal_epoch (
    id    integer primary key check (id = 1),
    epoch uuid    not null
);
