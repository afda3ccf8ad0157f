-- The audit log: every administrative action (accounts, organisations, indicator visibility, and the verbs of the
-- command line), who did it, when, and the state before and after. Written in the same transaction as the change it
-- records (the command-line verbs, whose account changes Identity commits, write it just after), so an admin page
-- change without its line cannot exist. Append-only: the application
-- never updates or deletes a line, and the trigger below refuses it to anybody who tries.
create table audit_event (
    id bigint generated always as identity primary key,
    at timestamptz not null default now(),
    -- The acting account (no foreign key: the line outlives any account) and its address at the time, or
    -- "ligne de commande" for the CLI verbs run on the server.
    actor_id uuid,
    actor text not null,
    action text not null,
    -- What was acted on, as a person reads it: an address, an organisation's name, an indicator's code.
    target text not null,
    before jsonb,
    after jsonb
);
create index audit_event_at_idx on audit_event (at desc, id desc);

create function audit_event_append_only() returns trigger
    language plpgsql
as $$
begin
    raise exception 'the audit log is append-only';
end
$$;

create trigger audit_event_append_only
    before update or delete or truncate on audit_event
    for each statement execute function audit_event_append_only();
