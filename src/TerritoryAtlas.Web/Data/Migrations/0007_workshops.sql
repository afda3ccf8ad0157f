-- Workshops (issue #7): rooms where participants annotate a map live. The annotation table holds the current state;
-- annotation_event is the append-only log clients catch up from after a reconnection, numbered per room.

create table room (
    id uuid primary key default gen_random_uuid(),
    title text not null check (length(title) between 1 and 200),
    -- What participants type or follow: short, from an alphabet without look-alikes; unique across rooms.
    join_code text not null unique,
    -- SHA-256 of the host's secret token (256 random bits, so a fast hash is enough); the token itself is never stored.
    host_secret_hash bytea not null unique,
    -- The starting view, then the host's latest view for participants who arrive late.
    view jsonb not null,
    locked boolean not null default false,
    -- Serialises writes per room: every change takes `update room set last_seq = last_seq + 1` in its transaction.
    last_seq bigint not null default 0,
    created_at timestamptz not null default now()
);

create table participant (
    id uuid primary key default gen_random_uuid(),
    room_id uuid not null references room (id) on delete cascade,
    display_name text not null check (length(display_name) between 1 and 60),
    -- SHA-256 of the participant's token, issued once at join (the host's row carries the host secret's hash).
    token_hash bytea not null unique,
    colour text not null check (colour ~ '^#[0-9a-f]{6}$'),
    is_host boolean not null default false,
    removed boolean not null default false,
    joined_at timestamptz not null default now()
);
create index participant_room_idx on participant (room_id);

create table annotation (
    id bigint generated always as identity primary key,
    room_id uuid not null references room (id) on delete cascade,
    author_id uuid not null references participant (id) on delete cascade,
    kind text not null check (kind in ('point', 'line', 'polygon', 'label')),
    geom geometry(Geometry, 4326) not null check (geometrytype(geom) in ('POINT', 'LINESTRING', 'POLYGON')),
    note text not null default '' check (length(note) <= 2000),
    colour text not null check (colour ~ '^#[0-9a-f]{6}$'),
    hidden boolean not null default false,
    deleted boolean not null default false,
    -- The sequence number of the event that produced this state: clients apply an event only when it is newer.
    seq bigint not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index annotation_room_idx on annotation (room_id) where not deleted;

create table annotation_event (
    room_id uuid not null references room (id) on delete cascade,
    seq bigint not null,
    type text not null check (type in ('created', 'updated', 'deleted', 'hidden', 'shown', 'cleared', 'locked', 'unlocked', 'participantRemoved')),
    actor_id uuid references participant (id) on delete set null,
    annotation_id bigint references annotation (id) on delete cascade,
    -- The message exactly as it was broadcast, so a catch-up replays what live clients received.
    payload jsonb not null,
    created_at timestamptz not null default now(),
    primary key (room_id, seq)
);
