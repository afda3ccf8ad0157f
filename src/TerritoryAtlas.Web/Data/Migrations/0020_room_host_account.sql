-- The account that opened a workshop (null for rooms opened anonymously, where the platform allows it), so a
-- signed-in host finds their workshops on their account page. The host's powers stay with the host link's secret.
alter table room add column host_account_id uuid references account (id) on delete set null;
create index room_host_account_idx on room (host_account_id, created_at desc) where host_account_id is not null;
