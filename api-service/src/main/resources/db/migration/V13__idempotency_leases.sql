-- A claim on an idempotency key is a lease (docs/adr/0028-idempotency-leases.md): the replica that holds it (holder),
-- the one request that holds it (claim_id), and until when (lease_until, on PostgreSQL's clock), renewed by the
-- replica while the request is alive. A claim whose lease lapsed may be taken over at once. run_id is the run the
-- claim's request created, set in the transaction that inserts the run, so a takeover answers with that run instead
-- of starting a second one. Claims written before this version have no lease: they lapse 5 minutes after creation.
alter table idempotency_keys
    add column holder      uuid,
    add column claim_id    uuid,
    add column lease_until timestamptz,
    add column run_id      uuid;
