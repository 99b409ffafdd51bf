-- The W3C trace context (traceparent) of the request that wrote a command, so that the command's Kafka record carries
-- it however it is published: right after the commit or later by the relay (docs/adr/0041). Null: none.
alter table api.outbox add column trace_parent text;
-- The same for a callback delivery: its POST continues the trace of the event that caused it.
alter table api.deliveries add column trace_parent text;
