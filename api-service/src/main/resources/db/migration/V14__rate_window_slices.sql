-- Replicas lease a window's quota in slices instead of counting each request (docs/adr/0018-jwt-and-rate-limits.md):
-- count is now the quota granted to replicas in the window, never above the limit, and last_grant the slice the most
-- recent lease took, which the lease statement returns beside the new count. A replica still on the counting
-- statement adds 1 and leaves last_grant alone, so the two can share the table during a rolling deploy.
alter table rate_windows add column last_grant integer not null default 0;
