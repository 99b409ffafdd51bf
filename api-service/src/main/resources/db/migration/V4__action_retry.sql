-- An action version's retry policy ({"maxAttempts": n, "backoffMs": ms}); null means one attempt.
alter table actions add column retry text;
