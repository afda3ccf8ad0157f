-- Who may read an indicator changes without an import (an admin shares it with an organisation, a producer adds a
-- restricted indicator): every instance keeps the visibility decisions in memory per (data version, visibility
-- version), and reads both in the one query DataVersion already makes every two seconds, so a change shows on every
-- instance within two seconds without a round trip per request.
alter table data_version add column visibility_version bigint not null default 1;

create function bump_visibility_version() returns trigger
    language plpgsql
as $$
begin
    update data_version set visibility_version = visibility_version + 1;
    return null;
end
$$;

-- Statement triggers: an import's upsert of the catalogue does not name visibility, so it bumps nothing per row.
create trigger indicator_visibility_changed
    after insert or delete or update of visibility on indicator
    for each statement execute function bump_visibility_version();

create trigger indicator_organisation_changed
    after insert or update or delete or truncate on indicator_organisation
    for each statement execute function bump_visibility_version();

-- The classes of viewers (Viewer.CacheKey: anonymous, admin, or one combination of organisations) present in a
-- workshop room, whichever instance their connection is on. A host's view of a restricted indicator is relayed only
-- to the classes indicator_visible lets through (each class is a SignalR group, shared by the Redis backplane), so
-- the rule stays the one SQL function and nobody else's connection hears of the indicator.
create table room_viewer (
    room_id uuid not null references room (id) on delete cascade,
    cache_key text not null,
    is_member boolean not null,
    is_admin boolean not null,
    organisations integer[] not null,
    primary key (room_id, cache_key)
);
